/**
 * Overload over real HTTP: more work than the queue holds arrives at once.
 * What is admitted is judged correctly, the excess is refused with 429 +
 * Retry-After, nothing fails with 5xx or drops a connection, and afterwards
 * the service is ready again with nothing leaked. Behaviour only: the figures
 * are bench/overload.ts's.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Pool } from 'undici';
import type { BatchLine, BatchSummary, SubmissionResult } from '../../src/schemas.js';
import { startTestApp } from '../helpers/app.js';

const ADD = 'a, b = map(int, input().split())\nprint(a + b)\n';
const TESTS = [{ id: 'sum', stdin: '2 3\n', expectedStdout: '5\n' }];
/** A distinct program each time, so neither the result cache nor in-flight sharing can answer it. */
const distinct = (tag: string) => `${ADD}# ${tag} ${randomUUID()}\n`;

interface Answer {
  status: number;
  retryAfter: string | undefined;
  body: unknown;
}

interface ErrorBody {
  code: string;
  message: string;
  retryable: boolean;
}

describe('overload', async () => {
  const QUEUE_LIMIT = 4;
  const t = await startTestApp({ VERDICT_CONCURRENCY: '2', VERDICT_QUEUE_LIMIT: String(QUEUE_LIMIT) });
  const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
  // Enough connections that every request of a burst is on the wire at once: the server, not the client, must queue or refuse.
  const pool = new Pool(address, { connections: 128 });
  after(() => pool.close());

  async function post(path: string, body: unknown, accept = 'application/json'): Promise<Answer> {
    const res = await pool.request({
      path,
      method: 'POST',
      headers: { 'content-type': 'application/json', accept },
      body: JSON.stringify(body),
      // A bound, not a threshold: a request hanging this long is a failure of its own.
      signal: AbortSignal.timeout(120_000),
    });
    const text = await res.body.text();
    const header = res.headers['retry-after'];
    return { status: res.statusCode, retryAfter: Array.isArray(header) ? header.join(',') : header, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
  }

  async function get(path: string): Promise<{ status: number; body: unknown }> {
    const res = await pool.request({ path, method: 'GET', signal: AbortSignal.timeout(30_000) });
    return { status: res.statusCode, body: (await res.body.json()) as unknown };
  }

  function assertRefusedWhole(answer: Answer, what: string): void {
    const body = answer.body as ErrorBody;
    assert.equal(body.code, 'VERDICT_QUEUE_FULL', `${what}: ${JSON.stringify(body)}`);
    assert.equal(body.retryable, true, what);
    assert.match(answer.retryAfter ?? '', /^\d+$/, `${what}: Retry-After ${JSON.stringify(answer.retryAfter)}`);
    const seconds = Number(answer.retryAfter);
    assert.ok(seconds >= 1 && seconds <= 60, `${what}: Retry-After ${seconds}`);
  }

  async function assertRecovered(): Promise<void> {
    const stats = t.app.judge.stats();
    assert.equal(stats.queued, 0, 'nothing is left queued once every answer is in');
    assert.equal(stats.running, 0, 'nothing is left running once every answer is in');
    const ready = await get('/readyz');
    assert.equal(ready.status, 200, JSON.stringify(ready.body));
    assert.equal((ready.body as { saturated: boolean }).saturated, false);
    const fresh = await post('/v1/submissions', { language: 'python', source: distinct('after'), tests: [{ stdin: '40 2\n', expectedStdout: '42\n' }], cache: false });
    assert.equal(fresh.status, 200, JSON.stringify(fresh.body));
    const result = fresh.body as SubmissionResult;
    assert.equal(result.verdict, 'accepted');
    assert.equal(result.tests[0]?.stdout, '42\n');
  }

  it('a burst of single submissions: each judged or refused at once with 429 + Retry-After, never a 5xx', async (ctx) => {
    const BURST = 60;
    const settled = await Promise.allSettled(
      Array.from({ length: BURST }, (_, n) => post('/v1/submissions', { language: 'python', source: distinct(`burst ${n}`), tests: TESTS, cache: false })),
    );
    const clientErrors = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => String(s.reason));
    assert.deepEqual(clientErrors, [], 'every request got an HTTP answer');
    const answers = settled.map((s) => (s as PromiseFulfilledResult<Answer>).value);
    const byStatus = new Map<number, number>();
    for (const a of answers) byStatus.set(a.status, (byStatus.get(a.status) ?? 0) + 1);
    const summary = JSON.stringify(Object.fromEntries(byStatus));
    ctx.diagnostic(`HTTP status counts: ${summary}`);
    for (const [index, answer] of answers.entries()) {
      if (answer.status === 200) {
        const result = answer.body as SubmissionResult;
        assert.equal(result.verdict, 'accepted', `submission ${index}: ${JSON.stringify(result).slice(0, 500)}`);
        assert.equal(result.cache, 'off');
        assert.equal(result.tests[0]?.stdout, '5\n');
      } else {
        assert.equal(answer.status, 429, `submission ${index} got HTTP ${answer.status} (${summary}): ${JSON.stringify(answer.body).slice(0, 500)}`);
        assertRefusedWhole(answer, `submission ${index}`);
      }
    }
    assert.ok((byStatus.get(200) ?? 0) >= 1, `some of the burst was judged: ${summary}`);
    assert.ok((byStatus.get(429) ?? 0) >= 1, `the excess was refused: ${summary}`);
    // Not all of it fitted. (Not exactly concurrency + queue either: the burst takes a while to arrive, and a
    // program judged on a warm sandbox frees its slot within tens of milliseconds, admitting one more.)
    assert.ok((byStatus.get(200) ?? 0) <= BURST - 1, summary);
    await assertRecovered();
  });

  it('sustained overload: waves keep arriving, the queue refills as it drains, the excess keeps getting 429', async (ctx) => {
    const WAVE = 20;
    const MIN_WAVES = 8; // two seconds of pressure at least
    const MAX_WAVES = 40; // bounds the test: at most 800 requests over about 10 s
    const answers: Promise<Answer>[] = [];
    let laterWaveJudged = false;
    for (let wave = 0; wave < MAX_WAVES && (wave < MIN_WAVES || !laterWaveJudged); wave++) {
      for (let n = 0; n < WAVE; n++) {
        const answer = post('/v1/submissions', { language: 'python', source: distinct(`wave ${wave} ${n}`), tests: TESTS, cache: false });
        // A verdict for a request sent after the first wave: room was made and handed out again while refusing the rest.
        if (wave > 0) void answer.then((a) => (laterWaveJudged ||= a.status === 200), () => undefined);
        answers.push(answer);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const settled = await Promise.allSettled(answers);
    const clientErrors = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => String(s.reason));
    assert.deepEqual(clientErrors, [], 'every request got an HTTP answer');
    const byStatus = new Map<number, number>();
    for (const [index, s] of settled.entries()) {
      const answer = (s as PromiseFulfilledResult<Answer>).value;
      byStatus.set(answer.status, (byStatus.get(answer.status) ?? 0) + 1);
      if (answer.status === 200) assert.equal((answer.body as SubmissionResult).verdict, 'accepted', `request ${index}`);
      else {
        assert.equal(answer.status, 429, `request ${index} got HTTP ${answer.status}: ${JSON.stringify(answer.body).slice(0, 500)}`);
        assertRefusedWhole(answer, `request ${index}`);
      }
    }
    const summary = JSON.stringify(Object.fromEntries(byStatus));
    ctx.diagnostic(`${answers.length} requests in ${answers.length / WAVE} waves: ${summary}`);
    assert.ok(laterWaveJudged, `a request after the first wave was judged: ${summary}`);
    assert.ok((byStatus.get(429) ?? 0) >= 1, summary);
    await assertRecovered();
  });

  it('a burst of batches: each admitted and judged whole, or refused whole with 429', async (ctx) => {
    const BATCHES = 5;
    const ITEMS = 3; // 15 programs in all against room for 2 running + 4 queued
    const settled = await Promise.allSettled(
      Array.from({ length: BATCHES }, (_, b) =>
        post('/v1/batch', {
          problem: { language: 'python', tests: TESTS },
          items: Array.from({ length: ITEMS }, (_, i) => ({ id: `c${i}`, source: distinct(`batch ${b} item ${i}`) })),
          cache: false,
        }),
      ),
    );
    const clientErrors = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => String(s.reason));
    assert.deepEqual(clientErrors, [], 'every request got an HTTP answer');
    const answers = settled.map((s) => (s as PromiseFulfilledResult<Answer>).value);
    let judged = 0;
    let refused = 0;
    for (const [index, answer] of answers.entries()) {
      if (answer.status === 200) {
        judged++;
        const { items, summary } = answer.body as { items: BatchLine[]; summary: BatchSummary };
        assert.equal(summary.total, ITEMS);
        assert.equal(summary.ok, ITEMS, `batch ${index} judged whole: ${JSON.stringify(summary)}`);
        assert.equal(summary.error, 0);
        assert.equal(summary.notRun, 0);
        assert.deepEqual(summary.verdicts, { accepted: ITEMS });
        assert.equal(items.length, ITEMS);
        for (const line of items) assert.ok(line.status === 'ok' && line.result.verdict === 'accepted', JSON.stringify(line).slice(0, 500));
      } else {
        assert.equal(answer.status, 429, `batch ${index} got HTTP ${answer.status}: ${JSON.stringify(answer.body).slice(0, 500)}`);
        assertRefusedWhole(answer, `batch ${index}`);
        refused++;
      }
    }
    ctx.diagnostic(`${judged} batches judged, ${refused} refused`);
    assert.ok(judged >= 1, `some batch was admitted (${judged} judged, ${refused} refused)`);
    assert.ok(refused >= 1, `some batch was refused (${judged} judged, ${refused} refused)`);
    await assertRecovered();
  });
});
