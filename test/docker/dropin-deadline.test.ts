/**
 * A request that cannot be answered within its caller's own deadline is refused at once with
 * 504 + Retry-After instead of queued (verl waits compile_timeout + run_timeout + 10 s and
 * retries only on 504), on real Docker with one slot and a queue of sleepers.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { startTestApp } from '../helpers/app.js';
import { until } from '../helpers/wait.js';

/** Sleepers queued behind the running one: each takes a turn of about the seed run's length. */
const QUEUED = 7;

describe('deadline admission (504 + Retry-After instead of queueing)', async () => {
  const t = await startTestApp({ VERDICT_CONCURRENCY: '1', VERDICT_POOL_MAX_IDLE: '0' });
  const base = await t.app.listen({ port: 0, host: '127.0.0.1' });

  const post = (path: string, body: unknown, init: { signal?: AbortSignal; headers?: Record<string, string> } = {}) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...init.headers }, body: JSON.stringify(body), signal: init.signal });
  // The sleepers' own deadline (verl's compile_timeout + run_timeout + 10 s) must stay far past
  // the queue ahead of them: on a loaded machine the seed run takes several seconds, and with a
  // 50 s deadline the last sleepers were themselves refused, so the queue never filled.
  const sleeper = (seconds: number) => ({ code: `import time\ntime.sleep(${seconds})\n# ${randomUUID()}`, language: 'python', compile_timeout: 10, run_timeout: 600 });

  it('answers 504 with Retry-After at once when the wait plus the run cannot fit, on /run_code, Piston and /v1/submissions', async () => {
    // One finished run teaches the scheduler how long a slot is held (about 2 s here).
    const seed = await post('/run_code', sleeper(2));
    assert.equal(seed.status, 200);
    assert.equal(((await seed.json()) as { status: string }).status, 'Success');

    const gone = new AbortController();
    const sleepers = Array.from({ length: QUEUED + 1 }, () => post('/run_code', sleeper(6), { signal: gone.signal }).catch(() => undefined));
    try {
      await until('one sleeper runs and the rest are queued', () => t.app.judge.stats().running === 1 && t.app.judge.stats().queued === QUEUED, { timeoutMs: 20_000 });

      // verl's own timeout: 1 + 1 + 10 s; about 8 turns of 2 s wait ahead, plus the 1 s run: it cannot fit.
      // Bounded: on code that queues, this request would wait behind the sleepers and time out here.
      const refused = await post('/run_code', { code: 'print(1)\n', language: 'python', compile_timeout: 1, run_timeout: 1 }, { signal: AbortSignal.timeout(5000) });
      assert.equal(refused.status, 504);
      const retryAfter = Number(refused.headers.get('retry-after'));
      assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
      const body = (await refused.json()) as { status: string; message: string; run_result: unknown };
      assert.equal(body.status, 'SandboxError');
      assert.match(body.message, /^VERDICT_DEADLINE_UNREACHABLE: /);
      assert.equal(body.run_result, null);

      const header = { 'x-verdict-deadline-ms': '5000' };
      const piston = await post('/api/v2/execute', { language: 'python', version: '*', files: [{ content: 'print(1)\n' }] }, { headers: header, signal: AbortSignal.timeout(5000) });
      assert.equal(piston.status, 504);
      assert.ok(Number(piston.headers.get('retry-after')) >= 1);
      assert.equal(((await piston.json()) as { code: string }).code, 'VERDICT_DEADLINE_UNREACHABLE');

      const native = await post('/v1/submissions', { language: 'python', source: 'print(1)\n', tests: [{ expectedStdout: '1\n' }] }, { headers: header, signal: AbortSignal.timeout(5000) });
      assert.equal(native.status, 504);
      assert.equal(((await native.json()) as { code: string; retryable: boolean }).retryable, true);

      const bad = await post('/v1/submissions', { language: 'python', source: 'print(1)\n' }, { headers: { 'x-verdict-deadline-ms': 'soon' }, signal: AbortSignal.timeout(5000) });
      assert.equal(bad.status, 400);

      // Nothing of the refused requests was queued.
      assert.equal(t.app.judge.stats().queued, QUEUED);
    } finally {
      gone.abort();
      await Promise.all(sleepers);
      await until('the sleepers are gone', () => t.app.judge.stats().running === 0 && t.app.judge.stats().queued === 0, { timeoutMs: 20_000 });
    }
  });
});
