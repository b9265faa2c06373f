/**
 * A problem's tests are held once per request, however many programs inherit them: every
 * item of a batch, every completion of a reward call naming one problem, and every variant
 * of a label call holds the same normalized array, and the cache hashes it once. Before,
 * each item got its own copy (a 64 MiB body × 10,000 items asked for hundreds of GiB).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { buildApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { cacheKey } from '../../src/judge/cache.js';
import type { BatchItem, Submission, TestCase } from '../../src/judge/submission.js';
import { DockerEngine } from '../../src/sandbox/docker-engine.js';
import type { BatchSummary, SubmissionResult } from '../../src/schemas.js';

const config = parseConfig({ LOG_LEVEL: 'silent' }, { cpuCount: 2, randomId: 'shared-tests' });
const app = await buildApp({ config, engine: new DockerEngine({ dockerHost: 'unix:///nonexistent/docker.sock' }) });
await app.ready();
after(() => app.close());

// The judge is replaced by one that records what it was given: no Docker, only what the routes build.
let judged: Submission[] = [];
const summary: BatchSummary = { type: 'summary', total: 0, ok: 0, error: 0, notRun: 0, verdicts: {}, cacheHits: 0, deadlineExceeded: false, responseTruncated: false, wallTimeMs: 0 };
app.judge.batch = (items: readonly BatchItem[]) => ({
  run: async (onItem) => {
    judged.push(...items.map((i) => i.submission));
    items.forEach(({ id }, index) => onItem({ type: 'item', index, id, status: 'not_run', reason: 'deadline' }));
    return summary;
  },
});
app.judge.submit = async (submission: Submission) => {
  judged.push(submission);
  const manifest = { language: 'python', languageVersion: '3', image: 'i', imageId: 'sha256:i', limits: submission.limits, checker: submission.checker, supervisorProtocol: 2, instanceId: 'x' };
  return { verdict: 'accepted', passed: 0, total: 0, compile: null, tests: [], manifest, wallTimeMs: 0, cache: 'off' } satisfies SubmissionResult;
};
// Line segmentation falls back to the lexical pass.
app.judge.runTool = async () => ({ exitCode: 1, stdout: Buffer.alloc(0) }) as Awaited<ReturnType<typeof app.judge.runTool>>;

const tests = Array.from({ length: 200 }, (_, i) => ({ id: `t${i}`, stdin: `${i}\n`.repeat(1000), expectedStdout: `${i}\n` }));
const ITEMS = 50;

async function post(url: string, payload: unknown): Promise<Submission[]> {
  judged = [];
  const res = await app.inject({ method: 'POST', url, headers: { accept: 'application/json' }, payload: payload as Record<string, unknown> });
  assert.equal(res.statusCode, 200, res.body.slice(0, 2000));
  return judged;
}

function assertShared(subs: Submission[], count: number): void {
  assert.equal(subs.length, count);
  for (const sub of subs) assert.equal(sub.tests, subs[0]!.tests, 'every program holds the one tests array');
  assert.equal(subs[0]!.tests.length, tests.length);
  assert.equal(subs[0]!.tests[7]!.stdin.toString(), tests[7]!.stdin);
}

describe('shared tests are held once per request', () => {
  it('/v1/batch: every item inheriting problem.tests holds the same array; an item with its own tests keeps them', async () => {
    const items = Array.from({ length: ITEMS }, (_, i) => ({ id: `s${i}`, source: `print(${i})` }));
    const own = { id: 'own', source: 'print(0)', tests: [{ stdin: 'x' }] };
    const subs = await post('/v1/batch', { problem: { language: 'python', tests }, items: [...items, own] });
    assertShared(subs.slice(0, ITEMS), ITEMS);
    assert.equal(subs[ITEMS]!.tests.length, 1);
    assert.equal(subs[ITEMS]!.tests[0]!.stdin.toString(), 'x');
  });

  it('/v1/reward: every completion of one named problem holds its array', async () => {
    const items = Array.from({ length: ITEMS }, (_, i) => ({ id: `c${i}`, problem: 'p', completion: `\`\`\`python\nprint(${i})\n\`\`\`` }));
    assertShared(await post('/v1/reward', { problems: { p: { language: 'python', tests } }, items }), ITEMS);
  });

  it('/v1/label: the reference and every variant hold one array', async () => {
    const variants = Array.from({ length: ITEMS }, (_, i) => ({ id: `v${i}`, source: `print(${i + 1})\n` }));
    assertShared(await post('/v1/label', { language: 'python', reference: 'print(0)\n', tests, variants }), 1 + ITEMS);
  });

  it('a problem whose tests are wrong is a 400 naming the problem, once', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/batch',
      payload: { problem: { language: 'python', tests: [{ id: 'a' }, { id: 'a' }] }, items: [{ id: 's', source: 'print(1)' }] },
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.json<{ message: string }>().message, /^problem\.tests\.1\.id: "a" appears twice/);
  });

  it('a call test the item cannot run is still a 400 naming the item', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/batch',
      payload: { problem: { tests: [{ call: { args: [1] }, expected: 1 }] }, items: [{ id: 's', language: 'cpp', source: 'int main(){}' }] },
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.json<{ message: string }>().message, /^items\.0\.tests\.0\.call: function-call tests are not available for cpp/);
  });
});

describe('the cache key hashes a shared tests array once', () => {
  it('reads each test once for many programs holding the array, and keys by content', async () => {
    const [sub] = await post('/v1/batch', { problem: { language: 'python', tests: tests.slice(0, 3) }, items: [{ id: 's', source: 'print(1)' }] });
    let reads = 0;
    const counted: TestCase[] = sub!.tests.map((t) => ({
      ...t,
      get stdin() {
        reads++;
        return Buffer.from('1\n');
      },
    }));
    const keys = new Set(Array.from({ length: 100 }, () => cacheKey({ ...sub!, tests: counted }, 'sha256:image')));
    assert.equal(keys.size, 1);
    assert.equal(reads, counted.length, 'each test read once, not once per program');
    // Equal content in another array gives the same key; different content another.
    const copy = counted.map((t) => ({ ...t, stdin: Buffer.from('1\n') }));
    assert.equal(cacheKey({ ...sub!, tests: copy }, 'sha256:image'), [...keys][0]);
    const other = copy.map((t, i) => (i === 2 ? { ...t, stdin: Buffer.from('2\n') } : t));
    assert.notEqual(cacheKey({ ...sub!, tests: other }, 'sha256:image'), [...keys][0]);
  });
});
