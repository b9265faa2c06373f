/**
 * Request text used as a key finds only what the request or the service defined, never a
 * property every object inherits ("constructor", "__proto__", "toString"); JSON values are
 * bounded in depth with a 400 naming the field. No engine: all of it is decided before a
 * sandbox is needed, and a valid request meets the unreachable engine (503).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { buildApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { DockerEngine } from '../../src/sandbox/docker-engine.js';
import { MAX_JSON_DEPTH } from '../../src/schemas.js';

const config = parseConfig({ LOG_LEVEL: 'silent' }, { cpuCount: 2, randomId: 'request-text-test' });
const app = await buildApp({ config, engine: new DockerEngine({ dockerHost: 'unix:///nonexistent/docker.sock' }) });
await app.ready();
after(() => app.close());

async function post(url: string, payload: unknown) {
  const res = await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', accept: 'application/json' }, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });
  return { status: res.statusCode, body: res.json<Record<string, unknown>>(), text: res.body };
}

const INHERITED = ['constructor', '__proto__', 'hasOwnProperty', 'toString', 'valueOf', '__defineGetter__'];

describe('request text as a key', () => {
  for (const name of INHERITED) {
    it(`/run_code with language ${JSON.stringify(name)} is a 422 naming the language`, async () => {
      const res = await post('/run_code', { code: 'print(1)', language: name });
      assert.equal(res.status, 422, res.text);
      assert.deepEqual((res.body.detail as Array<{ loc: unknown }>)[0]!.loc, ['body', 'language']);
    });

    it(`language ${JSON.stringify(name)} is unknown to /v1/submissions and Piston`, async () => {
      const submission = await post('/v1/submissions', { language: name, source: 'x' });
      assert.equal(submission.status, 400, submission.text);
      assert.equal(submission.body.code, 'VERDICT_UNKNOWN_LANGUAGE');
      const piston = await post('/api/v2/execute', { language: name, version: '*', files: [{ content: 'x' }] });
      assert.equal(piston.status, 400, piston.text);
      assert.equal(piston.body.code, 'VERDICT_UNKNOWN_LANGUAGE');
    });

    it(`a /v1/reward item whose problem is ${JSON.stringify(name)} names a problem that is not there`, async () => {
      const res = await post('/v1/reward', {
        problems: { p: { language: 'python', tests: [{ stdin: '', expectedStdout: '1\n' }] } },
        items: [{ id: 'a', language: 'python', completion: '```python\nprint(2)\n```', problem: name }],
      });
      assert.equal(res.status, 400, res.text);
      assert.match(String(res.body.message), new RegExp(`^items\\.0\\.problem: no problem named "${name}"`));
    });
  }

  it('a problem named like an inherited property is found, and only it', async () => {
    const res = await post('/v1/reward', {
      problems: { toString: { language: 'python', tests: [{ stdin: '', expectedStdout: '1\n' }] } },
      items: [{ id: 'a', completion: '```python\nprint(1)\n```', problem: 'toString' }],
    });
    // Found, language and all: the program needs a sandbox, and there is none.
    assert.equal(res.status, 200, res.text);
    const [item] = res.body.items as Array<{ status: string; error?: { code: string } }>;
    assert.equal(item!.status, 'error');
    assert.equal(item!.error!.code, 'VERDICT_DOCKER_UNAVAILABLE');
  });

  it('a /v1/label request that cannot reach Docker is a 503, and the service lives on', async () => {
    const res = await post('/v1/label', { language: 'python', reference: 'print(1)\n', tests: [{ stdin: '' }], variants: [{ id: 'v', source: 'print(2)\n' }] });
    assert.equal(res.status, 503, res.text);
    assert.equal(res.body.code, 'VERDICT_DOCKER_UNAVAILABLE');
    // The reference's segmentation fails too, after the request has been answered.
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await app.inject('/healthz')).statusCode, 200);
  });
});

describe('JSON values are bounded in depth', () => {
  const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
  const nestedObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  const submission = (test: string) => `{"language":"python","source":"def f(*a, **k): return a","entryPoint":"f","tests":[${test}]}`;

  const cases: Array<[string, (value: string) => string, string]> = [
    ['a positional argument', (v) => submission(`{"call":{"args":[1,${v}]}}`), 'tests.0.call.args.1'],
    ['a keyword argument', (v) => submission(`{"call":{"args":[],"kwargs":{"x":${v}}}}`), 'tests.0.call.kwargs.x'],
    ['an expected value', (v) => submission(`{"call":{"args":[]},"expected":${v}}`), 'tests.0.expected'],
  ];
  for (const [what, body, path] of cases) {
    for (const depth of [MAX_JSON_DEPTH + 1, 6_000, 100_000]) {
      it(`${what} nested ${depth} deep is a 400 naming ${path}`, async () => {
        for (const value of [nested(depth), nestedObject(depth)]) {
          const res = await post('/v1/submissions', body(value));
          assert.equal(res.status, 400, res.text.slice(0, 500));
          assert.equal(res.body.code, 'VERDICT_INVALID_REQUEST');
          assert.match(String(res.body.message), new RegExp(`^${path.replaceAll('.', '\\.')}: nested deeper than ${MAX_JSON_DEPTH}`));
        }
      });
    }
    it(`${what} nested ${MAX_JSON_DEPTH} deep is accepted`, async () => {
      for (const value of [nested(MAX_JSON_DEPTH), nestedObject(MAX_JSON_DEPTH)]) {
        const res = await post('/v1/submissions', body(value));
        assert.equal(res.status, 503, res.text.slice(0, 500));
      }
    });
  }

  it('the same bound holds in batches, rewards and labels, named by their own paths', async () => {
    // As text: the test's own JSON.stringify could not write it either.
    const test = `{"call":{"args":[${nested(6_000)}]}}`;
    const batch = await post('/v1/batch', `{"problem":{"language":"python","entryPoint":"f","tests":[${test}]},"items":[{"id":"a","source":"def f(x): return x"}]}`);
    assert.equal(batch.status, 400, batch.text.slice(0, 500));
    assert.match(String(batch.body.message), /^problem\.tests\.0\.call\.args\.0: nested deeper/);
    const reward = await post('/v1/reward', `{"items":[{"id":"a","language":"python","entryPoint":"f","completion":"def f(x): return x","tests":[${test}]}]}`);
    assert.equal(reward.status, 400, reward.text.slice(0, 500));
    assert.match(String(reward.body.message), /items\.0\.tests\.0\.call\.args\.0: nested deeper/);
    const label = await post('/v1/label', `{"language":"python","entryPoint":"f","reference":"def f(x): return x\\n","tests":[${test}],"variants":[{"id":"v","source":"x"}]}`);
    assert.equal(label.status, 400, label.text.slice(0, 500));
    assert.match(String(label.body.message), /tests\.0\.call\.args\.0: nested deeper/);
  });
});
