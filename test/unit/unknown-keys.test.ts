/**
 * An unknown key anywhere in a native request is a 400 naming its path and, for the names
 * datasets and other services use, the field meant; the drop-in APIs keep their originals'
 * leniency. No container is needed: the engine points at a socket that does not exist.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, describe, it } from 'node:test';
import { buildApp } from '../../src/app.js';
import { MAX_ISSUES_NAMED } from '../../src/http/error-handler.js';
import { parseConfig } from '../../src/config.js';
import { DockerEngine } from '../../src/sandbox/docker-engine.js';
import { MAX_UNKNOWN_KEYS_NAMED } from '../../src/http/unknown-keys.js';

const config = parseConfig({ LOG_LEVEL: 'silent' }, { cpuCount: 2, randomId: 'unknown-keys-test' });
const app = await buildApp({ config, engine: new DockerEngine({ dockerHost: 'unix:///nonexistent/docker.sock' }) });
await app.ready();
after(() => app.close());

interface Answer {
  code: string;
  message: string;
  details?: { issues: Array<{ path: string; message: string }>; moreIssues?: number };
}

async function post(url: string, body: unknown) {
  const res = await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
  return { status: res.statusCode, body: res.json<Answer>() };
}

type Extra = Record<string, unknown>;
const program = { language: 'python', source: 'print(1)\n' };

/** Every strict object of every native request body, with a valid request that puts `extra` into it. */
const places: Array<{ url: string; path: string; kind: string; body: (extra: Extra) => unknown }> = [
  { url: '/v1/submissions', path: '', kind: 'program', body: (x) => ({ ...program, ...x }) },
  { url: '/v1/submissions', path: 'tests.0', kind: 'test', body: (x) => ({ ...program, tests: [{ stdin: '1\n', ...x }] }) },
  { url: '/v1/submissions', path: 'tests.1.call', kind: 'call', body: (x) => ({ ...program, entryPoint: 'f', tests: [{}, { call: { args: [1], ...x } }] }) },
  { url: '/v1/submissions', path: 'limits', kind: 'limits', body: (x) => ({ ...program, limits: { timeMs: 1000, ...x } }) },
  { url: '/v1/submissions', path: 'checker', kind: 'checker', body: (x) => ({ ...program, checker: { mode: 'float', ...x } }) },
  { url: '/v1/submissions', path: 'files.0', kind: 'file', body: (x) => ({ language: 'python', files: [{ path: 'main.py', content: 'print(1)\n', ...x }] }) },
  { url: '/v1/batch', path: '', kind: 'batch', body: (x) => ({ items: [{ id: 'a', ...program }], ...x }) },
  { url: '/v1/batch', path: 'problem', kind: 'program', body: (x) => ({ problem: { language: 'python', ...x }, items: [{ id: 'a', source: 'print(1)\n' }] }) },
  { url: '/v1/batch', path: 'problem.tests.0', kind: 'test', body: (x) => ({ problem: { language: 'python', tests: [x] }, items: [{ id: 'a', source: 'x' }] }) },
  { url: '/v1/batch', path: 'problem.limits', kind: 'limits', body: (x) => ({ problem: { limits: x }, items: [{ id: 'a', ...program }] }) },
  { url: '/v1/batch', path: 'items.0', kind: 'program', body: (x) => ({ items: [{ id: 'a', ...program, ...x }] }) },
  { url: '/v1/batch', path: 'items.0.tests.0.call', kind: 'call', body: (x) => ({ items: [{ id: 'a', ...program, entryPoint: 'f', tests: [{ call: { args: [], ...x } }] }] }) },
  { url: '/v1/batch', path: 'items.0.checker', kind: 'checker', body: (x) => ({ items: [{ id: 'a', ...program, checker: { mode: 'float', ...x } }] }) },
  { url: '/v1/batch', path: 'items.0.files.0', kind: 'file', body: (x) => ({ items: [{ id: 'a', language: 'python', files: [{ path: 'main.py', content: '', ...x }] }] }) },
  { url: '/v1/reward', path: '', kind: 'reward', body: (x) => ({ items: [{ id: 'a', language: 'python', completion: 'print(1)' }], ...x }) },
  { url: '/v1/reward', path: 'problems.p', kind: 'program', body: (x) => ({ problems: { p: { language: 'python', ...x } }, items: [{ id: 'a', completion: '', problem: 'p' }] }) },
  { url: '/v1/reward', path: 'problems.p.tests.0', kind: 'test', body: (x) => ({ problems: { p: { language: 'python', tests: [x] } }, items: [{ id: 'a', completion: '', problem: 'p' }] }) },
  { url: '/v1/reward', path: 'items.0', kind: 'rewardItem', body: (x) => ({ items: [{ id: 'a', language: 'python', completion: 'print(1)', ...x }] }) },
  { url: '/v1/reward', path: 'items.0.limits', kind: 'limits', body: (x) => ({ items: [{ id: 'a', language: 'python', completion: '', limits: x }] }) },
  { url: '/v1/label', path: '', kind: 'label', body: (x) => ({ language: 'python', reference: 'print(1)\n', variants: [], ...x }) },
  { url: '/v1/label', path: 'tests.0', kind: 'test', body: (x) => ({ language: 'python', reference: 'print(1)\n', tests: [x], variants: [] }) },
  { url: '/v1/label', path: 'checker', kind: 'checker', body: (x) => ({ language: 'python', reference: '', checker: { mode: 'lines', ...x }, variants: [] }) },
  { url: '/v1/label', path: 'variants.0', kind: 'variant', body: (x) => ({ language: 'python', reference: 'print(1)\n', variants: [{ id: 'v', source: 'print(2)\n', ...x }] }) },
  {
    url: '/v1/label',
    path: 'variants.0.edit',
    kind: 'edit',
    body: (x) => ({ language: 'python', reference: 'print(1)\n', variants: [{ id: 'v', edit: { op: 'delete', startLine: 1, ...x } }] }),
  },
];

/** The names of the issue and other services, datasets and clients, and what each must be told it means, by kind of object. */
const aliases = ['input', 'output', 'expected_output', 'expectedOutput', 'expected_stdout', 'stdin_input', 'expected', 'fn_name', 'entry_point', 'test', 'test_code', 'time_limit', 'timeout', 'memory_limit'];
const toTests = /"tests": \[\{"stdin"/;
const meant: Record<string, Record<string, RegExp | null>> = {
  program: {
    input: toTests,
    output: toTests,
    expected_output: toTests,
    expectedOutput: toTests,
    expected_stdout: toTests,
    expected: toTests,
    fn_name: /the function to call is "entryPoint"$/,
    entry_point: /the function to call is "entryPoint"$/,
    test: /is "testCode"/,
    test_code: /is "testCode"/,
    time_limit: /the time limit is "limits\.timeMs" \(milliseconds\)$/,
    timeout: /the time limit is "limits\.timeMs" \(milliseconds\)$/,
    memory_limit: /the memory limit is "limits\.memoryBytes" \(bytes\)$/,
  },
  test: {
    input: /^the input is "stdin"$/,
    stdin_input: /^the input is "stdin"$/,
    output: /^the expected output is "expectedStdout"$/,
    expected_output: /^the expected output is "expectedStdout"$/,
    expectedOutput: /^the expected output is "expectedStdout"$/,
    expected_stdout: /^the expected output is "expectedStdout"$/,
    expected: null, // a field of a test: the expected return value of a call
    fn_name: /the program's "entryPoint"/,
    entry_point: /the program's "entryPoint"/,
    test: /the program's "testCode"/,
    test_code: /the program's "testCode"/,
    time_limit: /"limits": \{"timeMs"/,
    timeout: /"limits": \{"timeMs"/,
    memory_limit: /"memoryBytes"/,
  },
  call: {
    input: /^the positional arguments are "args"$/,
    output: /the test's "expected", beside "call"/,
    expected_output: /the test's "expected", beside "call"/,
    expected: /the test's "expected", beside "call"/,
    fn_name: /the program's "entryPoint"/,
    entry_point: /the program's "entryPoint"/,
  },
  limits: {
    time_limit: /^the CPU time limit is "timeMs" \(milliseconds\)$/,
    timeout: /^the CPU time limit is "timeMs" \(milliseconds\)$/,
    memory_limit: /^the memory limit is "memoryBytes" \(bytes\)$/,
  },
  batch: {
    fn_name: /goes in "problem"; there, the function to call is "entryPoint"/,
    time_limit: /goes in "problem"; there, the time limit is "limits\.timeMs"/,
    input: /goes in "problem"; there, tests go in "tests"/,
    output: /goes in "problem"; there, tests go in "tests"/,
  },
  reward: { fn_name: /in "problems"/, output: /in "problems"/ },
  rewardItem: {
    fn_name: /the function to call is "entryPoint"$/,
    output: toTests,
    time_limit: /"limits\.timeMs"/,
  },
  label: {
    fn_name: /the function to call is "entryPoint"$/,
    test: /is "testCode"/,
    output: toTests,
    timeout: /"limits\.timeMs"/,
    memory_limit: /"limits\.memoryBytes"/,
  },
};
/** Other services' and datasets' names for fields of the smaller objects. */
const more: Array<[kind: string, key: string, hint: RegExp]> = [
  ['checker', 'tolerance', /^the absolute tolerance is "absTolerance"$/],
  ['checker', 'atol', /^the absolute tolerance is "absTolerance"$/],
  ['checker', 'rel_tol', /^the relative tolerance is "relTolerance"$/],
  ['file', 'name', /^the file name is "path"$/],
  ['file', 'encoding', /there is no "encoding"/],
  ['variant', 'code', /^a whole program is "source"$/],
  ['edit', 'line', /^the first line is "startLine"/],
  ['edit', 'end_line', /^the last line is "endLine"/],
  ['limits', 'memory_limit_MB', /"memoryBytes" \(bytes\)/],
  ['limits', 'run_timeout', /"timeMs"/],
  ['limits', 'wall_time_ms', /^did you mean "wallTimeMs"\?$/],
  ['program', 'test_list', /MBPP's asserts go in "testCode"/],
  ['program', 'stop_on_first_failure', /^did you mean "stopOnFirstFailure"\?$/],
  ['program', 'memory_limit_bytes', /"limits\.memoryBytes"/],
  ['program', 'public_tests', toTests],
  ['rewardItem', 'source', /extracted from "completion"/],
  ['label', 'canonical_solution', /^the correct program is "reference"$/],
  ['label', 'mutants', /"variants"/],
  ['reward', 'problem', /"problems": \{"<name>"/],
  ['batch', 'problems', /the shared problem is "problem"/],
  ['test', 'constructor', /^the fields here are "id", "call", "expected", "stdin", "expectedStdout", "args"$/],
];

async function expectUnknown(place: (typeof places)[number], key: string, hint: RegExp | undefined) {
  const { status, body } = await post(place.url, place.body({ [key]: 'x' }));
  const path = place.path ? `${place.path}.${key}` : key;
  const label = `${place.url} ${path}`;
  assert.equal(status, 400, `${label}: ${JSON.stringify(body)}`);
  assert.equal(body.details?.issues.length, 1, `${label}: ${body.message}`);
  const issue = body.details.issues[0]!;
  assert.equal(issue.path, path, label);
  assert.match(issue.message, /^unknown key; ./, label);
  assert.equal(body.message, `${path}: ${issue.message}`, label);
  if (hint) assert.match(issue.message.slice('unknown key; '.length), hint, label);
}

describe('an unknown key is a 400 naming its path and the field meant', () => {
  it('says it the way the issue asks', async () => {
    const { status, body } = await post('/v1/submissions', { ...program, tests: [{ stdin: '1 2\n', output: '3\n' }] });
    assert.equal(status, 400);
    assert.equal(body.message, 'tests.0.output: unknown key; the expected output is "expectedStdout"');
  });

  for (const place of places) {
    it(`${place.url} ${place.path || '(root)'}: every alias is refused, and the common ones say which field is meant`, async () => {
      for (const key of aliases) {
        const expected = meant[place.kind]?.[key];
        if (expected === null) continue; // a real field of this object
        await expectUnknown(place, key, expected);
      }
      for (const [kind, key, hint] of more) if (kind === place.kind) await expectUnknown(place, key, hint);
    });
  }

  it('names every unknown key of one object, each with its own path', async () => {
    const { status, body } = await post('/v1/submissions', { ...program, tests: [{ input: '1\n', expected_output: '1\n' }] });
    assert.equal(status, 400);
    assert.deepEqual(body.details?.issues, [
      { path: 'tests.0.input', message: 'unknown key; the input is "stdin"' },
      { path: 'tests.0.expected_output', message: 'unknown key; the expected output is "expectedStdout"' },
    ]);
  });

  it('keeps the answer small whatever the body: keys cut, keys per object and issues counted', async () => {
    const longKey = 'k'.repeat(100_000);
    const manyKeys = Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`key${i}`, 0]));
    const one = await post('/v1/submissions', { ...program, [longKey]: 1, ...manyKeys });
    assert.equal(one.status, 400);
    assert.equal(one.body.details?.issues.length, MAX_UNKNOWN_KEYS_NAMED + 1);
    assert.match(one.body.details.issues[0]!.path, /^k{64}…$/);
    assert.equal(one.body.details.issues.at(-1)!.message, `${5_001 - MAX_UNKNOWN_KEYS_NAMED} more unknown keys`);
    assert.ok(one.body.message.length < 4096, `${one.body.message.length} characters`);

    const many = await post('/v1/submissions', { ...program, tests: Array.from({ length: 1_000 }, () => ({ output: '' })) });
    assert.equal(many.status, 400);
    assert.equal(many.body.details?.issues.length, MAX_ISSUES_NAMED);
    assert.equal(many.body.details.moreIssues, 1_000 - MAX_ISSUES_NAMED);
    assert.match(many.body.message, /; and 980 more issues$/);
  });

  it('the README examples are still accepted', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const examples = [...readme.matchAll(/curl -sN? localhost:8080(\/v1\/\w+)[^\n]*-d '([^']*)'/g)];
    assert.ok(examples.length >= 4, `${examples.length} examples found`);
    for (const [, url, body] of examples) {
      const res = await app.inject({ method: 'POST', url: url!, headers: { 'content-type': 'application/json' }, payload: body! });
      // Past validation, only the missing engine stops them: a 503, or NDJSON lines of retryable errors.
      assert.ok(res.statusCode === 503 || (res.statusCode === 200 && res.body.includes('VERDICT_DOCKER_UNAVAILABLE')), `${url}: ${res.statusCode} ${res.body.slice(0, 500)}`);
    }
  });
});

describe('the drop-in APIs keep their originals\' leniency', () => {
  // SandboxFusion's RunCodeRequest is a pydantic model with the default extra="ignore"; Piston's
  // /api/v2/execute destructures the fields it knows from the body and each file's "content".
  it('/run_code ignores unknown keys as SandboxFusion does', async () => {
    const res = await app.inject({ method: 'POST', url: '/run_code', payload: { code: 'print(1)', language: 'python', expected_output: '2', executor: 'x' } });
    assert.equal(res.statusCode, 504, res.body); // past validation, stopped by the missing engine
  });
  it('/api/v2/execute ignores unknown keys as Piston does', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v2/execute',
      payload: { language: 'python', version: '*', files: [{ content: 'print(1)', lang: 'py' }], expected_output: '2' },
    });
    assert.equal(res.statusCode, 503, res.body);
  });
});
