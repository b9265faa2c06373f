/**
 * The HTTP contract where no container is needed: validation, errors, health.
 * The engine points at a socket that does not exist, which is also how the
 * service meets an engine that is down.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { buildApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { DockerEngine } from '../../src/sandbox/docker-engine.js';

const config = parseConfig(
  { LOG_LEVEL: 'silent', VERDICT_BODY_LIMIT_BYTES: String(256 * 1024), VERDICT_MAX_TESTS: '50', VERDICT_DEFAULT_DEADLINE_MS: '30000', VERDICT_MAX_DEADLINE_MS: '60000' },
  { cpuCount: 2, randomId: 'http-test' },
);
const app = await buildApp({ config, engine: new DockerEngine({ dockerHost: 'unix:///nonexistent/docker.sock' }) });
await app.ready();
after(() => app.close());

async function post(payload: unknown, headers: Record<string, string> = {}) {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/submissions',
    headers: { 'content-type': 'application/json', ...headers },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
  return { status: res.statusCode, body: res.json<{ code: string; message: string; retryable: boolean; details?: unknown }>(), headers: res.headers };
}

describe('bad requests get a 4xx that says what is wrong', () => {
  const cases: Array<[string, unknown, number, RegExp]> = [
    ['malformed JSON', '{"language": "python", ', 400, /JSON/i],
    ['no program', { language: 'python' }, 400, /exactly one of "source" or "files"/],
    ['both source and files', { language: 'python', source: 'x', files: [{ path: 'main.py', content: '' }] }, 400, /exactly one/],
    ['wrong type', { language: 'python', source: 'x', tests: [{ stdin: 5 }] }, 400, /tests\.0\.stdin/],
    ['unknown field', { language: 'python', source: 'x', colour: 'red' }, 400, /colour/],
    ['unknown field in a test', { language: 'python', source: 'x', tests: [{ stdin: '1', expected_output: '2' }] }, 400, /tests\.0\.expected_output: unknown key; the expected output is "expectedStdout"/],
    ['unknown checker', { language: 'python', source: 'x', checker: 'fuzzy' }, 400, /checker/],
    ['unknown language', { language: 'cobol', source: 'x' }, 400, /unknown language "cobol"; valid ids: python, cpp, c, java, javascript, typescript, go, rust/],
    ['limit above the maximum', { language: 'python', source: 'x', limits: { timeMs: 10 ** 9 } }, 400, /limits\.timeMs: 1000000000 exceeds the server maximum 30000/],
    ['negative limit', { language: 'python', source: 'x', limits: { memoryBytes: -1 } }, 400, /limits\.memoryBytes/],
    ['path traversal', { language: 'python', files: [{ path: '../main.py', content: '' }] }, 400, /files\.0\.path/],
    ['absolute path', { language: 'python', files: [{ path: '/etc/main.py', content: '' }] }, 400, /files\.0\.path/],
    ['no entry point', { language: 'python', files: [{ path: 'lib.py', content: '' }] }, 400, /must contain main\.py/],
    ['duplicate paths', { language: 'python', files: [{ path: 'main.py', content: '' }, { path: 'main.py', content: '' }] }, 400, /appears twice/],
    ['duplicate test ids', { language: 'python', source: 'x', tests: [{ id: 'a' }, { id: 'a' }] }, 400, /tests\.1\.id: "a" appears twice/],
    ['too many tests', { language: 'python', source: 'x', tests: Array.from({ length: 51 }, () => ({})) }, 400, /at most 50/],
  ];
  for (const [name, payload, status, message] of cases) {
    it(name, async () => {
      const res = await post(payload);
      assert.equal(res.status, status, JSON.stringify(res.body));
      assert.equal(res.body.retryable, false);
      assert.match(res.body.message, message);
    });
  }

  it('a tests budget above the maximum is a 400 naming it', async () => {
    const res = await post({ language: 'python', source: 'x', limits: { totalWallTimeMs: 10 ** 9 } });
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.match(res.body.message, /limits\.totalWallTimeMs: 1000000000 exceeds the server maximum 600000/);
  });

  it('a deadline above the server maximum is a 400 naming it, on every many-item route', async () => {
    const bodies: Array<[string, unknown]> = [
      ['/v1/batch', { problem: { language: 'python' }, items: [{ id: 'a', source: 'print(1)' }], deadlineMs: 60_001 }],
      ['/v1/reward', { items: [{ id: 'a', language: 'python', completion: '```python\nprint(1)\n```' }], deadlineMs: 60_001 }],
      ['/v1/label', { language: 'python', reference: 'print(1)\n', variants: [{ id: 'v', source: 'print(2)\n' }], deadlineMs: 60_001 }],
    ];
    for (const [url, payload] of bodies) {
      const res = await app.inject({ method: 'POST', url, payload: payload as Record<string, unknown> });
      assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
      assert.match(res.json<{ message: string }>().message, /deadlineMs: 60001 exceeds the server maximum 60000/, url);
    }
  });

  it('unknown language lists the valid ids in details', async () => {
    const res = await post({ language: 'cobol', source: 'x' });
    assert.equal(res.body.code, 'VERDICT_UNKNOWN_LANGUAGE');
    assert.deepEqual(res.body.details, { languages: ["python", "cpp", "c", "java", "javascript", "typescript", "go", "rust"] });
  });

  it('a body over the limit is 413', async () => {
    const res = await post({ language: 'python', source: 'x'.repeat(300 * 1024) });
    assert.equal(res.status, 413);
    assert.equal(res.body.code, 'VERDICT_BODY_TOO_LARGE');
  });

  it('a content type without a parser is refused', async () => {
    const res = await post('<program/>', { 'content-type': 'application/xml' });
    assert.equal(res.status, 415);
  });
});

describe('when Docker is unreachable', () => {
  it('a valid submission gets 503, retryable, with a stable code', async () => {
    const res = await post({ language: 'python', source: 'print(1)' });
    assert.equal(res.status, 503);
    assert.equal(res.body.code, 'VERDICT_DOCKER_UNAVAILABLE');
    assert.equal(res.body.retryable, true);
    assert.ok(res.headers['retry-after']);
  });

  it('/healthz stays up and /readyz says why it is not ready', async () => {
    assert.equal((await app.inject('/healthz')).statusCode, 200);
    const ready = await app.inject('/readyz');
    assert.equal(ready.statusCode, 503);
    assert.match(ready.json<{ docker: string }>().docker, /VERDICT_DOCKER_UNAVAILABLE/);
  });

  it('counts the failure in /metrics', async () => {
    const metrics = (await app.inject('/metrics')).body;
    assert.match(metrics, /verdict_errors_total\{code="VERDICT_DOCKER_UNAVAILABLE"\} [1-9]/);
    assert.match(metrics, /verdict_http_requests_total\{method="POST",route="\/v1\/submissions",status_code="400"\}/);
  });
});

describe('documentation', () => {
  it('serves the API reference at /docs and the document at /docs/json', async () => {
    assert.equal((await app.inject('/docs')).statusCode < 400, true);
    const doc = (await app.inject('/docs/json')).json<{ paths: Record<string, unknown> }>();
    assert.ok(doc.paths['/v1/submissions']);
  });
});
