/**
 * A JSON answer is built whole before it is sent, so the number of test results it will hold is
 * bounded before anything runs: a small body (10,000 items sharing a problem's 1,000 tests) would
 * otherwise ask the service to hold ten million results. NDJSON streams them and is not bounded.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { buildApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import type { BatchItem } from '../../src/judge/submission.js';
import { DockerEngine } from '../../src/sandbox/docker-engine.js';
import type { BatchSummary } from '../../src/schemas.js';

const MAX = 100;
const config = parseConfig({ LOG_LEVEL: 'silent', VERDICT_MAX_JSON_ANSWER_TESTS: String(MAX) }, { cpuCount: 2, randomId: 'json-answer' });
const app = await buildApp({ config, engine: new DockerEngine({ dockerHost: 'unix:///nonexistent/docker.sock' }) });
await app.ready();
after(() => app.close());

// No Docker: a judge that answers every item not_run, so an admitted request is a 200.
const summary: BatchSummary = { type: 'summary', total: 0, ok: 0, error: 0, notRun: 0, verdicts: {}, cacheHits: 0, deadlineExceeded: false, responseTruncated: false, wallTimeMs: 0 };
app.judge.batch = (items: readonly BatchItem[]) => ({
  run: async (onItem) => {
    items.forEach(({ id }, index) => onItem({ type: 'item', index, id, status: 'not_run', reason: 'deadline' }));
    return summary;
  },
});

const tests = Array.from({ length: 10 }, (_, i) => ({ stdin: `${i}\n`, expectedStdout: `${i}\n` }));
const items = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `s${i}`, source: `print(${i})` }));
const completions = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `c${i}`, problem: 'p', completion: `\`\`\`python\nprint(${i})\n\`\`\`` }));

async function post(url: string, payload: unknown, accept?: string) {
  return app.inject({ method: 'POST', url, headers: accept ? { accept } : {}, payload: payload as Record<string, unknown> });
}

describe('a JSON answer holds a bounded number of test results', () => {
  it('/v1/batch: at the bound a JSON answer is judged; one item more is a 400 naming items and NDJSON', async () => {
    const at = await post('/v1/batch', { problem: { language: 'python', tests }, items: items(MAX / tests.length) }, 'application/json');
    assert.equal(at.statusCode, 200, at.body.slice(0, 500));
    const over = await post('/v1/batch', { problem: { language: 'python', tests }, items: items(MAX / tests.length + 1) }, 'application/json');
    assert.equal(over.statusCode, 400, over.body.slice(0, 500));
    const error = over.json() as { code: string; message: string };
    assert.equal(error.code, 'VERDICT_INVALID_REQUEST');
    assert.match(error.message, /^items: 110 test results in all, a JSON answer holds at most 100; ask for NDJSON/);
  });

  it('/v1/batch: the same request streamed as NDJSON (the default) is not bounded by it', async () => {
    const res = await post('/v1/batch', { problem: { language: 'python', tests }, items: items(MAX / tests.length + 1) });
    assert.equal(res.statusCode, 200, res.body.slice(0, 500));
    assert.equal(res.body.trim().split('\n').length, MAX / tests.length + 2);
  });

  it('/v1/reward: JSON past the bound is a 400; NDJSON is judged', async () => {
    const body = { problems: { p: { language: 'python', tests } }, items: completions(MAX / tests.length + 1) };
    const over = await post('/v1/reward', body, 'application/json');
    assert.equal(over.statusCode, 400, over.body.slice(0, 500));
    assert.match((over.json() as { message: string }).message, /^items: 110 test results/);
    assert.equal((await post('/v1/reward', body)).statusCode, 200);
  });

  it('/v1/label (always JSON): the reference and the distinct variants count; repeated variants share a result', async () => {
    const distinct = Array.from({ length: MAX / tests.length }, (_, i) => ({ id: `v${i}`, source: `print(${i + 1})\n` }));
    const over = await post('/v1/label', { language: 'python', reference: 'print(0)\n', tests, variants: distinct });
    assert.equal(over.statusCode, 400, over.body.slice(0, 500));
    assert.match((over.json() as { message: string }).message, /^variants: 110 test results in all/);
    // Nine distinct and any number of repeats: the reference and nine programs, 100 results.
    const repeats = Array.from({ length: 50 }, (_, i) => ({ id: `r${i}`, source: `print(${(i % 9) + 1})\n` }));
    const within = await post('/v1/label', { language: 'python', reference: 'print(0)\n', tests, variants: repeats });
    assert.notEqual(within.statusCode, 400, within.body.slice(0, 500));
  });
});
