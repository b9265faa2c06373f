/**
 * What one client can take of the service, on real Docker: a slot for one
 * test at a time (not a whole program of slow tests), a share of the queue
 * (not all of it), and a total time budget per program. Behaviour only.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { BatchSummary, SubmissionResult } from '../../src/schemas.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { until } from '../helpers/wait.js';

/** A program each of whose tests sleeps: it holds its sandbox without using CPU. */
const sleeper = (seconds: number, tag: string) => `import time\ntime.sleep(${seconds})\nprint("z") # ${tag} ${randomUUID()}\n`;
const tests = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `t${i}`, expectedStdout: 'z\n' }));

async function post(t: TestApp, url: string, payload: Record<string, unknown>) {
  return t.app.inject({ method: 'POST', url, payload, headers: { accept: 'application/json' } });
}

describe('a slot is held for one test, not a whole program', async () => {
  const t = await startTestApp({ VERDICT_CONCURRENCY: '2' });

  it('print(42) sent behind two submissions of many sleeping tests is answered before either finishes', async (ctx) => {
    const TESTS = 12;
    const SLEEP_S = 0.5;
    let sleepersDone = 0;
    const sleepers = [0, 1].map((n) =>
      t.submit({ language: 'python', source: sleeper(SLEEP_S, `s${n}`), tests: tests(TESTS), cache: false }).finally(() => sleepersDone++),
    );
    await until('both sleepers hold a slot', () => t.app.judge.stats().running === 2, { intervalMs: 10 });
    let maxPaused = 0;
    const sampler = setInterval(() => (maxPaused = Math.max(maxPaused, t.app.judge.stats().paused)), 10);
    try {
      const sent = performance.now();
      const small = await t.submit({ language: 'python', source: 'print(42)', cache: false });
      ctx.diagnostic(`print(42) answered in ${Math.round(performance.now() - sent)} ms behind two programs of ${TESTS} × ${SLEEP_S} s`);
      // Before: it waited for a whole sleeper (12 × 0.5 s); now for at most one of their tests per slot.
      assert.equal(sleepersDone, 0, 'print(42) was answered only after a sleeper had finished all its tests');
      assert.equal(small.verdict, 'accepted');
      assert.equal(small.tests[0]?.stdout, '42\n');
      for (const result of await Promise.all(sleepers)) {
        assert.equal(result.verdict, 'accepted', JSON.stringify(result.tests.map((x) => x.verdict)));
        assert.equal(result.passed, TESTS);
      }
    } finally {
      clearInterval(sampler);
    }
    // A paused program keeps its sandbox: never more of them than slots.
    assert.ok(maxPaused <= 2, `${maxPaused} programs paused at once`);
    const stats = t.app.judge.stats();
    assert.deepEqual([stats.running, stats.paused, stats.queued], [0, 0, 0]);
  });
});

describe('the queue is shared between requests', async () => {
  const t = await startTestApp({ VERDICT_CONCURRENCY: '2', VERDICT_QUEUE_LIMIT: '8', VERDICT_MAX_BATCH_ITEMS: '5' });

  it('two big slow batches do not make a third, small request get 429', async () => {
    const big = (tag: string) =>
      post(t, '/v1/batch', {
        problem: { language: 'python', tests: tests(1) },
        items: Array.from({ length: 5 }, (_, i) => ({ id: `${tag}${i}`, source: sleeper(1, `${tag}${i}`) })),
        cache: false,
      });
    const batches = [big('a'), big('b')];
    // Before, these eight programs (two running) filled the queue of eight.
    await until('both batches are in', () => t.app.judge.stats().running + t.app.judge.stats().queued === 10, { intervalMs: 10 });

    const single = await post(t, '/v1/submissions', { language: 'python', source: 'print(42)', cache: false });
    assert.equal(single.statusCode, 200, single.body);
    assert.equal(single.json<SubmissionResult>().verdict, 'accepted');
    const small = await post(t, '/v1/batch', { problem: { language: 'python' }, items: [{ id: 'x', source: 'print(1)' }, { id: 'y', source: 'print(2)' }], cache: false });
    assert.equal(small.statusCode, 200, small.body);
    assert.equal(small.json<{ summary: BatchSummary }>().summary.ok, 2);

    for (const res of await Promise.all(batches)) {
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json<{ summary: BatchSummary }>().summary.verdicts, { accepted: 5 });
    }
  });
});

describe('a total time budget per program', async () => {
  const t = await startTestApp({ VERDICT_CONCURRENCY: '2', VERDICT_DEFAULT_TOTAL_WALL_TIME_MS: '20000', VERDICT_MAX_TOTAL_WALL_TIME_MS: '30000' });

  it('tests past the budget are skipped, the budget is flagged, and the verdict is time_limit_exceeded', async (ctx) => {
    const result = await t.submit({ language: 'python', source: sleeper(0.3, 'budget'), tests: tests(20), limits: { totalWallTimeMs: 1000 }, cache: false });
    assert.equal(result.verdict, 'time_limit_exceeded');
    assert.equal(result.budgetExhausted, true);
    assert.equal(result.manifest.limits.totalWallTimeMs, 1000);
    const verdicts = result.tests.map((x) => x.verdict);
    ctx.diagnostic(`verdicts: ${verdicts.join(' ')}; tests' wall times ${result.tests.map((x) => Math.round(x.wallTimeMs)).join(' ')}`);
    const accepted = verdicts.filter((v) => v === 'accepted').length;
    // About three tests fit in a second; the one running when it ran out is cut, the rest never start.
    assert.ok(accepted >= 1 && accepted <= 3, verdicts.join(' '));
    assert.deepEqual(verdicts.slice(0, accepted), Array(accepted).fill('accepted'));
    assert.equal(verdicts[accepted], 'time_limit_exceeded');
    assert.deepEqual(verdicts.slice(accepted + 1), Array(20 - accepted - 1).fill('skipped'));
    assert.equal(result.passed, accepted);
    const ran = result.tests.reduce((sum, x) => sum + x.wallTimeMs, 0);
    assert.ok(ran < 2 * 1000, `the tests ran ${ran} ms in all`);
  });

  it('a program within its budget is unaffected, and a budget above the maximum is a 400 naming it', async () => {
    const fine = await t.submit({ language: 'python', source: sleeper(0.1, 'fine'), tests: tests(3), limits: { totalWallTimeMs: 5000 }, cache: false });
    assert.equal(fine.verdict, 'accepted');
    assert.equal(fine.budgetExhausted, undefined);
    const refused = await post(t, '/v1/submissions', { language: 'python', source: 'print(1)', limits: { totalWallTimeMs: 30001 } });
    assert.equal(refused.statusCode, 400, refused.body);
    assert.match(refused.json<{ message: string }>().message, /limits\.totalWallTimeMs: 30001 exceeds the server maximum 30000/);
  });
});
