/**
 * What one answer makes the service hold, on real Docker over loopback HTTP: a client that
 * stops reading its NDJSON batch stops the batch after what is in flight (before, every item
 * was judged and its line buffered in memory), one that hangs up cancels the rest, and the
 * response budget cuts outputs without touching verdicts.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { describe, it } from 'node:test';
import type { BatchLine, BatchSummary, SubmissionResult } from '../../src/schemas.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { until } from '../helpers/wait.js';

const KiB = 1024;
// Lines of 900 KiB: the kernel's loopback buffers (a few MiB) hold only a few of them.
const PRINTED = 900 * KiB;
const ITEMS = 40;

const t = await startTestApp({ VERDICT_RESPONSE_OUTPUT_BYTES: String(1024 * KiB), VERDICT_MAX_RESPONSE_BYTES: String(64 * 1024 * KiB) });
const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
const port = Number(new URL(address).port);

/** Programs judged by this app so far, counted where the judge reports each verdict. */
let judged = 0;
const report = t.app.metrics.verdict.bind(t.app.metrics);
t.app.metrics.verdict = (language: string, verdict: string) => {
  judged++;
  report(language, verdict);
};

function bigBatch(): string {
  const items = Array.from({ length: ITEMS }, (_, i) => ({ id: `s${i}`, source: `import sys\nsys.stdout.write('x' * ${PRINTED})  # ${i}\n` }));
  return JSON.stringify({ problem: { language: 'python' }, items, cache: false });
}

/** A batch over a real socket whose answer is not read until `resume`. */
function pausedBatch(body: string) {
  let res: http.IncomingMessage | undefined;
  const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/batch', headers: { 'content-type': 'application/json' } });
  const answered = new Promise<http.IncomingMessage>((resolve, reject) => {
    req.on('response', (r) => {
      res = r;
      r.pause();
      resolve(r);
    });
    req.on('error', reject);
  });
  req.end(body);
  return {
    answered,
    req,
    async readAll(): Promise<string> {
      const r = res ?? (await answered);
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      const ended = new Promise((resolve) => r.on('end', resolve));
      r.resume();
      await ended;
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}

/** Nothing runs, waits for a slot or is paused, three polls in a row: the judge has stopped (or finished). */
async function idle(app: TestApp['app']): Promise<void> {
  let calm = 0;
  await until(
    'the judge is idle',
    () => {
      const s = app.judge.stats();
      calm = s.running === 0 && s.queueUsed === 0 && s.paused === 0 && judged > 0 ? calm + 1 : 0;
      return calm >= 3;
    },
    { timeoutMs: 50_000, intervalMs: 200 },
  );
}

describe('an NDJSON answer nobody reads', { timeout: 120_000 }, () => {
  it('stops its batch after what is in flight, and finishes it when read again', async () => {
    judged = 0;
    const call = pausedBatch(bigBatch());
    assert.equal((await call.answered).statusCode, 200);
    await idle(t.app);
    const whilePaused = judged;
    assert.ok(whilePaused < ITEMS, `${whilePaused} of ${ITEMS} items judged for a client that read nothing`);
    const lines = (await call.readAll())
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as BatchLine | BatchSummary);
    const summary = lines.at(-1) as BatchSummary;
    assert.equal(summary.type, 'summary');
    assert.equal(summary.ok, ITEMS);
    assert.deepEqual(summary.verdicts, { accepted: ITEMS });
    assert.equal(summary.responseTruncated, false);
    for (const line of lines.slice(0, -1) as BatchLine[]) assert.equal(line.status === 'ok' && line.result.tests[0]!.stdout.length, PRINTED);
    assert.equal(judged, ITEMS);
  });

  it('cancels the rest when the client hangs up', async () => {
    judged = 0;
    const call = pausedBatch(bigBatch());
    assert.equal((await call.answered).statusCode, 200);
    await idle(t.app);
    const beforeHangUp = judged;
    assert.ok(beforeHangUp < ITEMS);
    call.req.destroy();
    await until('the batch is cancelled', () => {
      const s = t.app.judge.stats();
      return s.running === 0 && s.queued === 0 && s.paused === 0 && t.app.judge.settle().then(() => true);
    });
    assert.equal(judged, beforeHangUp, 'no item judged after the client left');
  });
});

describe('the response budget', () => {
  it('cuts outputs past it, flagged, and never a verdict', async () => {
    const budgeted = await startTestApp({ VERDICT_MAX_RESPONSE_BYTES: '4096' });
    const x = 'x'.repeat(3000);
    const tests = Array.from({ length: 3 }, () => ({ expectedStdout: x }));
    const res = await budgeted.app.inject({
      method: 'POST',
      url: '/v1/submissions',
      payload: { language: 'python', source: `print('${x}')`, tests, cache: false },
    });
    const result = res.json<SubmissionResult>();
    assert.equal(result.verdict, 'accepted');
    assert.deepEqual(result.tests.map((r) => r.verdict), ['accepted', 'accepted', 'accepted']);
    assert.deepEqual(result.tests.map((r) => r.stdout.length), [3001, 4096 - 3001, 0]);
    assert.deepEqual(result.tests.map((r) => r.stdoutTruncated), [false, true, true]);
    assert.equal(result.responseTruncated, true);

    const batch = await budgeted.app.inject({
      method: 'POST',
      url: '/v1/batch',
      payload: { problem: { language: 'python', tests }, items: [{ id: 'a', source: `print('${x}')` }, { id: 'b', source: `print('${x}')  # b` }], cache: false },
    });
    const lines = batch.body.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as BatchLine | BatchSummary);
    const summary = lines.at(-1) as BatchSummary;
    assert.deepEqual(summary.verdicts, { accepted: 2 });
    assert.equal(summary.responseTruncated, true);
    const kept = (lines.slice(0, -1) as BatchLine[]).flatMap((l) => (l.status === 'ok' ? l.result.tests.map((r) => r.stdout.length) : []));
    assert.equal(kept.reduce((a, b) => a + b, 0), 4096);
  });
});
