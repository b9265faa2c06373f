/**
 * The batch API, the scheduler, sandbox reuse, the warm pool and the result
 * cache, on real Docker. Behaviour only: the figures are bench/'s.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { request } from 'undici';
import type { BatchLine, BatchSummary, SubmissionResult } from '../../src/schemas.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { until } from '../helpers/wait.js';

type Line = BatchLine | BatchSummary;

async function batch(t: TestApp, body: Record<string, unknown>, accept?: string) {
  const res = await t.app.inject({ method: 'POST', url: '/v1/batch', payload: body, headers: accept ? { accept } : {} });
  return res;
}

function ndjson(text: string): Line[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Line);
}

function items(lines: Line[]): BatchLine[] {
  return lines.filter((l): l is BatchLine => l.type === 'item');
}

async function metric(t: TestApp, name: string, labels = ''): Promise<number> {
  const res = await t.app.inject({ method: 'GET', url: '/metrics' });
  const line = res.body.split('\n').find((l) => l.startsWith(`${name}${labels} `) || (labels === '' && l.startsWith(`${name} `)));
  return line ? Number(line.split(' ').pop()) : 0;
}

const ADD = 'a, b = map(int, input().split())\nprint(a + b)\n';
const TESTS = [
  { id: 'small', stdin: '1 2\n', expectedStdout: '3\n' },
  { id: 'large', stdin: '1000000 2000000\n', expectedStdout: '3000000\n' },
];

describe('POST /v1/batch', async () => {
  const t = await startTestApp({ VERDICT_CONCURRENCY: '2' });

  it('streams one NDJSON line per candidate as it is judged, then a summary', async () => {
    const res = await batch(t, {
      problem: { language: 'python', tests: TESTS },
      items: [
        { id: 'right', source: ADD },
        { id: 'wrong', source: 'a, b = map(int, input().split())\nprint(a - b)\n' },
        { id: 'crash', source: 'raise SystemExit(3)\n' },
        { id: 'syntax', source: 'print(\n' },
        { id: 'cpp', language: 'cpp', source: '#include <iostream>\nint main(){long a,b;std::cin>>a>>b;std::cout<<a+b<<"\\n";}\n' },
      ],
      cache: false,
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-type']), /application\/x-ndjson/);
    const lines = ndjson(res.body);
    const last = lines.at(-1)!;
    assert.equal(last.type, 'summary');
    const verdicts = Object.fromEntries(items(lines).map((l) => [l.id, l.status === 'ok' ? l.result.verdict : l.status]));
    assert.deepEqual(verdicts, { right: 'accepted', wrong: 'wrong_answer', crash: 'runtime_error', syntax: 'compile_error', cpp: 'accepted' });
    assert.deepEqual(
      items(lines)
        .map((l) => l.index)
        .sort(),
      [0, 1, 2, 3, 4],
    );
    const summary = last as BatchSummary;
    assert.equal(summary.total, 5);
    assert.equal(summary.ok, 5);
    assert.equal(summary.notRun, 0);
    assert.deepEqual(summary.verdicts, { accepted: 2, wrong_answer: 1, runtime_error: 1, compile_error: 1 });
  });

  it('answers one JSON document in request order when asked for application/json', async () => {
    const res = await batch(
      t,
      { problem: { language: 'python', tests: TESTS }, items: ['a', 'b', 'c'].map((id) => ({ id, source: `${ADD}# ${id}\n` })), cache: false },
      'application/json',
    );
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json<{ items: BatchLine[]; summary: BatchSummary }>();
    assert.deepEqual(
      body.items.map((l) => l.id),
      ['a', 'b', 'c'],
    );
    assert.ok(body.items.every((l) => l.status === 'ok' && l.result.verdict === 'accepted'));
    assert.equal(body.summary.ok, 3);
  });

  it('refuses a malformed item with a 400 that names it, before judging anything', async () => {
    const res = await batch(t, { problem: { language: 'python' }, items: [{ id: 'fine', source: 'print(1)' }, { id: 'bad', language: 'cobol', source: 'x' }] });
    assert.equal(res.statusCode, 400);
    assert.match(res.json<{ message: string }>().message, /^items\.1\.language: unknown language "cobol"/);
    const dup = await batch(t, { problem: { language: 'python' }, items: [{ id: 'x', source: 'print(1)' }, { id: 'x', source: 'print(2)' }] });
    assert.equal(dup.statusCode, 400);
    assert.match(dup.json<{ message: string }>().message, /items\.1\.id: "x" appears twice/);
    const none = await batch(t, { problem: { language: 'python' }, items: [{ id: 'x' }] });
    assert.equal(none.statusCode, 400);
    assert.match(none.json<{ message: string }>().message, /items\.0\.source: give the program as exactly one of "source" or "files"/);
  });

  it('one sandbox serves several candidates of a request, each with its own uid, an empty program directory and no survivors', async () => {
    const reusedBefore = await metric(t, 'verdict_sandbox_acquired_total', '{source="reused"}');
    // Each candidate checks that nothing of an earlier one is visible, then leaves litter behind:
    // files in /box and /tmp, and a detached process that would outlive it if nothing killed it.
    const probe = (n: number) => `
import os, subprocess, sys
box = sorted(os.listdir('/box'))
tmp = sorted(os.listdir('/tmp'))
others = [p for p in os.listdir('/proc') if p.isdigit() and int(p) not in (1, os.getpid())]
alive = []
for p in others:
    try:
        alive.append(open(f'/proc/{p}/cmdline','rb').read().replace(b'\\0', b' ').decode())
    except OSError:
        pass
print(os.getuid(), box, tmp, alive)
open('/tmp/litter-${n}', 'w').write('x')
subprocess.Popen(['sleep', '300'], start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
`;
    const res = await batch(t, { problem: { language: 'python' }, items: Array.from({ length: 8 }, (_, n) => ({ id: String(n), source: probe(n) })), cache: false }, 'application/json');
    assert.equal(res.statusCode, 200, res.body);
    const lines = res.json<{ items: BatchLine[] }>().items;
    const uids = new Set<string>();
    for (const line of lines) {
      assert.equal(line.status, 'ok', JSON.stringify(line));
      if (line.status !== 'ok') continue;
      assert.equal(line.result.verdict, 'accepted', line.result.tests[0]?.stderr);
      const out = line.result.tests[0]!.stdout.trim();
      const [uid, ...rest] = out.split(' ');
      assert.equal(rest.join(' '), "['main.py'] [] []", `candidate ${line.id} saw another's leftovers: ${out}`);
      uids.add(uid!);
    }
    assert.equal(uids.size, 8, 'every candidate ran under its own uid');
    const reused = (await metric(t, 'verdict_sandbox_acquired_total', '{source="reused"}')) - reusedBefore;
    assert.ok(reused >= 1, `expected sandboxes to be reused within the batch, got ${reused}`);
  });

  it('past the deadline, answers what finished and marks the rest not_run, killing their sandboxes', async () => {
    const res = await batch(t, {
      problem: { language: 'python', limits: { timeMs: 20_000, wallTimeMs: 30_000 } },
      items: [
        { id: 'quick', source: 'print(1)' },
        ...Array.from({ length: 5 }, (_, n) => ({ id: `slow-${n}`, source: `import time\ntime.sleep(20) # ${n}\n` })),
      ],
      deadlineMs: 3000,
      cache: false,
    });
    assert.equal(res.statusCode, 200, res.body);
    const lines = ndjson(res.body);
    const summary = lines.at(-1) as BatchSummary;
    assert.equal(summary.type, 'summary');
    assert.equal(summary.deadlineExceeded, true);
    const byId = new Map(items(lines).map((l) => [l.id, l]));
    assert.equal(byId.get('quick')?.status, 'ok');
    for (let n = 0; n < 5; n++) assert.deepEqual({ ...byId.get(`slow-${n}`), index: 0 }, { type: 'item', index: 0, id: `slow-${n}`, status: 'not_run', reason: 'deadline' });
    assert.equal(summary.notRun, 5);
    assert.ok(summary.wallTimeMs < 15_000, `the batch ended at its deadline, not after the sleeps (${summary.wallTimeMs} ms)`);
  });

  it('a client that disconnects cancels its queued work and kills its running sandboxes', async () => {
    const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const controller = new AbortController();
      const body = JSON.stringify({
        problem: { language: 'python', limits: { timeMs: 30_000, wallTimeMs: 60_000 } },
        items: Array.from({ length: 6 }, (_, n) => ({ id: String(n), source: `import time\ntime.sleep(60) # ${randomUUID()} ${n}\n` })),
      });
      const pending = request(`${address}/v1/batch`, { method: 'POST', body, headers: { 'content-type': 'application/json' }, signal: controller.signal }).catch(
        (err: unknown) => err,
      );
      await until('two candidates run', () => t.app.judge.stats().running === 2);
      assert.equal(t.app.judge.stats().queued, 4);
      controller.abort();
      await pending;
      await until('the batch is gone from the scheduler', () => t.app.judge.stats().running === 0 && t.app.judge.stats().queued === 0, { timeoutMs: 20_000 });
    } finally {
      await t.app.server.close();
    }
  });
});

describe('scheduling', async () => {
  const t = await startTestApp({ VERDICT_CONCURRENCY: '1', VERDICT_QUEUE_LIMIT: '6', VERDICT_POOL_MAX_IDLE: '0' });
  const sleeper = (n: number, seconds = 0.4) => `import time\ntime.sleep(${seconds}) # ${n} ${randomUUID()}\n`;

  it('a single online submission overtakes a queued offline batch', async () => {
    const order: string[] = [];
    const big = batch(t, { priority: 'offline', problem: { language: 'python' }, items: Array.from({ length: 5 }, (_, n) => ({ id: `b${n}`, source: sleeper(n) })), cache: false }).then(
      (res) => {
        order.push('batch');
        return res;
      },
    );
    await until('the batch holds the slot', () => t.app.judge.stats().running === 1 && t.app.judge.stats().queued === 4);
    const single = await t.submit({ language: 'python', source: 'print("me")', priority: 'online', cache: false });
    order.push('single');
    assert.equal(single.verdict, 'accepted');
    const res = await big;
    assert.equal(res.statusCode, 200);
    assert.deepEqual(order, ['single', 'batch']);
    const done = items(ndjson(res.body)).filter((l) => l.status === 'ok');
    assert.equal(done.length, 5);
  });

  it('a full queue answers 429 with Retry-After, and /readyz reports saturation', async () => {
    // A request takes at most one place per slot (one here) however many programs it has waiting:
    // the batch of six takes one place, and five single submissions fill the other five.
    const running = batch(t, { problem: { language: 'python' }, items: Array.from({ length: 6 }, (_, n) => ({ id: `s${n}`, source: sleeper(n, 1) })), cache: false });
    await until('the batch is queued', () => t.app.judge.stats().queued === 5);
    assert.equal(t.app.judge.stats().queueUsed, 1);
    const singles = Array.from({ length: 5 }, (_, n) =>
      t.app.inject({ method: 'POST', url: '/v1/submissions', payload: { language: 'python', source: sleeper(90 + n, 0), cache: false } }),
    );
    await until('the queue is full', () => t.app.judge.stats().queueUsed === 6);

    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 503, ready.body);
    assert.equal(ready.json<{ saturated: boolean }>().saturated, true);
    // The depth counts every program waiting, the batch's five included.
    assert.equal(await metric(t, 'verdict_queue_depth'), 10);
    assert.equal(await metric(t, 'verdict_saturated'), 1);

    for (const [url, payload] of [
      ['/v1/submissions', { language: 'python', source: 'print(1)' }],
      ['/v1/batch', { problem: { language: 'python' }, items: [{ id: 'x', source: 'print(1)' }] }],
    ] as const) {
      const refused = await t.app.inject({ method: 'POST', url, payload });
      assert.equal(refused.statusCode, 429, refused.body);
      const body = refused.json<{ code: string; retryable: boolean }>();
      assert.equal(body.code, 'VERDICT_QUEUE_FULL');
      assert.equal(body.retryable, true);
      const retryAfter = Number(refused.headers['retry-after']);
      assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    }

    const res = await running;
    assert.equal(res.statusCode, 200);
    assert.equal((ndjson(res.body).at(-1) as BatchSummary).ok, 6);
    for (const single of await Promise.all(singles)) assert.equal(single.statusCode, 200, single.body);
    const after = await t.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(after.json<{ saturated: boolean }>().saturated, false);
  });
});

describe('result cache', async () => {
  const t = await startTestApp({ VERDICT_CONCURRENCY: '2' });
  const source = `${ADD}# ${randomUUID()}\n`;

  it('serves an identical submission from the cache once confirmed, marked as a hit', async () => {
    const first = await t.submit({ language: 'python', source, tests: TESTS });
    assert.equal(first.cache, 'miss');
    assert.equal((await t.submit({ language: 'python', source, tests: TESTS })).cache, 'miss', 'the run confirming the first');
    const hitsBefore = await metric(t, 'verdict_cache_results_total', '{source="hit"}');
    const second = await t.submit({ language: 'python', source, tests: TESTS });
    assert.equal(second.cache, 'hit');
    assert.deepEqual({ ...second, cache: 'miss' }, first);
    assert.equal((await metric(t, 'verdict_cache_results_total', '{source="hit"}')) - hitsBefore, 1);
    const fresh = await t.submit({ language: 'python', source, tests: TESTS, cache: false });
    assert.equal(fresh.cache, 'off');
  });

  it('runs identical submissions in flight together once', async () => {
    const slow = `import time\ntime.sleep(0.5)\nprint(3) # ${randomUUID()}\n`;
    const results = await Promise.all([1, 2, 3].map(() => t.submit({ language: 'python', source: slow, tests: [{ expectedStdout: '3' }] })));
    assert.deepEqual(results.map((r) => r.cache).sort(), ['miss', 'shared', 'shared']);
    assert.ok(results.every((r) => r.verdict === 'accepted'));
  });

  it('never caches a verdict that hit or came near a limit', async () => {
    const spin = `while True: pass # ${randomUUID()}\n`;
    const body = { language: 'python', source: spin, limits: { timeMs: 300, wallTimeMs: 2000 } };
    const first = await t.submit(body);
    assert.equal(first.verdict, 'time_limit_exceeded');
    const second = await t.submit(body);
    assert.equal(second.cache, 'miss');
  });

  it('keys on everything that decides the outcome: other tests, other limits, another result', async () => {
    const base = { language: 'python', source: `${ADD}# key ${randomUUID()}\n`, tests: TESTS };
    assert.equal((await t.submit(base)).cache, 'miss');
    assert.equal((await t.submit({ ...base, tests: [TESTS[0]] })).cache, 'miss');
    assert.equal((await t.submit({ ...base, limits: { timeMs: 1500 } })).cache, 'miss');
    assert.equal((await t.submit({ ...base, checker: 'exact' })).cache, 'miss');
    assert.equal((await t.submit(base)).cache, 'miss', 'the run confirming the first');
    assert.equal((await t.submit(base)).cache, 'hit');
  });

  it('dedupes identical candidates inside one batch', async () => {
    const same = `${ADD}# dup ${randomUUID()}\n`;
    const res = await batch(t, { problem: { language: 'python', tests: TESTS }, items: ['a', 'b', 'c', 'd'].map((id) => ({ id, source: same })) }, 'application/json');
    const lines = res.json<{ items: BatchLine[] }>().items;
    const sources = lines.map((l) => (l.status === 'ok' ? l.result.cache : l.status)).sort();
    assert.equal(sources.filter((s) => s === 'miss').length, 1, JSON.stringify(sources));
    assert.ok(sources.every((s) => s === 'miss' || s === 'shared' || s === 'hit'));
  });
});

describe('warm pool', async () => {
  // The app starts as the file loads, and the suites before this one can take longer than the
  // default 30 s demand window, after which the pre-warmed sandbox is rightly let go: a long window.
  const t = await startTestApp({ VERDICT_CONCURRENCY: '2', VERDICT_POOL_PREWARM: 'python', VERDICT_POOL_MAX_IDLE: '2', VERDICT_POOL_WINDOW_MS: '3600000' });

  it('keeps sandboxes started ahead of demand, and has one again after a request (its own, recycled, or a refill)', async () => {
    await t.app.judge.settle();
    assert.equal(t.app.judge.stats().pool.idle, 1, 'one python sandbox pre-warmed at boot');
    const fromPoolBefore = await metric(t, 'verdict_sandbox_acquired_total', '{source="pool"}');
    const first: SubmissionResult = await t.submit({ language: 'python', source: ADD, tests: TESTS, cache: false });
    assert.equal(first.verdict, 'accepted');
    assert.equal((await metric(t, 'verdict_sandbox_acquired_total', '{source="pool"}')) - fromPoolBefore, 1);
    await t.app.judge.settle();
    assert.ok(t.app.judge.stats().pool.idle >= 1, 'the sandbox came back reset, or the pool refilled in the background');
    assert.ok(t.app.judge.stats().pool.idle <= 2, 'and stays within its bound');
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    assert.ok(ready.json<{ warmSandboxes: number }>().warmSandboxes >= 1);
  });
});
