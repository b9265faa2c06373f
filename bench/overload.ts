/**
 * Overload: what the service does when offered several times what it can judge.
 * Phase 1 (peak) measures goodput with a closed loop of 2 × concurrency clients;
 * phase 2 offers factor × that rate in an open loop (Poisson arrivals) and
 * reports goodput, answers by status, latency of verdicts and of refusals,
 * Retry-After, memory, and containers left after close. Prints figures, asserts
 * nothing; exits non-zero only when the service crashed or stopped answering.
 * The service runs in this process (its RSS includes the load generator's).
 * Usage: node --import tsx bench/overload.ts [seconds=60] [factor=4]
 * Environment: VERDICT_CONCURRENCY, VERDICT_QUEUE_LIMIT (default 4 × concurrency), VERDICT_POOL_MAX_IDLE.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { buildApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { DockerEngine, LABEL_INSTANCE } from '../src/sandbox/docker-engine.js';
import { percentile } from './percentile.js';

const seconds = Number(process.argv[2] ?? 60);
const factor = Number(process.argv[3] ?? 4);
if (!(seconds > 0) || !(factor > 0)) {
  console.error('usage: node --import tsx bench/overload.ts [seconds=60] [factor=4]');
  process.exit(2);
}

const WARMUP_MS = 3_000;
const PEAK_MS = 15_000;
/** Client-side bound on one request; hitting it counts as a timeout. */
const TIMEOUT_MS = 60_000;
/** Requests on the wire at once in the open loop; an arrival beyond it is not sent (counted). */
const MAX_IN_FLIGHT = 2_000;
/** The open loop never sends more than this many requests in all, whatever the rate. */
const MAX_REQUESTS = 200_000;

const SOURCE = 'a, b = map(int, input().split())\nprint(a + b)\n';
const runId = randomUUID().slice(0, 8);
let serial = 0;
const body = () =>
  JSON.stringify({
    language: 'python',
    // A distinct program every time and no cache: every verdict is a real judging.
    source: `${SOURCE}# ${runId} ${serial++}\n`,
    tests: [{ stdin: '2 3\n', expectedStdout: '5\n' }],
    cache: false,
  });

const cpuCount = os.availableParallelism();
const envConcurrency = process.env.VERDICT_CONCURRENCY;
const concurrency = envConcurrency ? Number(envConcurrency) : cpuCount;
const instanceId = `bench-overload-${process.pid}`;
const env: Record<string, string> = {
  LOG_LEVEL: 'warn',
  PORT: '0',
  VERDICT_QUEUE_LIMIT: process.env.VERDICT_QUEUE_LIMIT ?? String(4 * concurrency),
  // One process stands for many clients here, up to MAX_IN_FLIGHT connections from one address.
  VERDICT_MAX_CONNECTIONS_PER_ADDRESS: '0',
};
for (const name of ['VERDICT_CONCURRENCY', 'VERDICT_POOL_MAX_IDLE'] as const) {
  if (process.env[name]) env[name] = process.env[name];
}
const config = parseConfig(env, { cpuCount, randomId: instanceId });
const engine = new DockerEngine({ dockerHost: config.dockerHost, runtime: config.runtime });
const app = await buildApp({ config, engine });
const address = await app.listen({ host: '127.0.0.1', port: 0 });
const dispatcher = new Agent({ connections: MAX_IN_FLIGHT, keepAliveTimeout: 10_000 });

interface Outcome {
  kind: 'status' | 'timeout' | 'connection';
  status: number;
  ms: number;
  /** When the answer came, ms since the epoch of performance.now(). */
  at: number;
  retryAfter: string | undefined;
  code: string | undefined;
  verdict: string | undefined;
  error: string | undefined;
}

async function submit(): Promise<Outcome> {
  const t0 = performance.now();
  const base = { status: 0, retryAfter: undefined, code: undefined, verdict: undefined, error: undefined };
  try {
    const res = await request(`${address}/v1/submissions`, {
      method: 'POST',
      dispatcher,
      headers: { 'content-type': 'application/json' },
      body: body(),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const text = await res.body.text();
    let parsed: { verdict?: string; code?: string } = {};
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      // Not JSON: counted by its status alone.
    }
    const header = res.headers['retry-after'];
    const t1 = performance.now();
    return {
      ...base,
      kind: 'status',
      status: res.statusCode,
      ms: t1 - t0,
      at: t1,
      retryAfter: Array.isArray(header) ? header.join(',') : header,
      code: parsed.code,
      verdict: parsed.verdict,
    };
  } catch (err) {
    const t1 = performance.now();
    const e = err as { name?: string; code?: string; message?: string };
    const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError' || e.code === 'UND_ERR_ABORTED';
    return { ...base, kind: timedOut ? 'timeout' : 'connection', ms: t1 - t0, at: t1, error: `${e.name ?? 'Error'} ${e.code ?? ''} ${e.message ?? ''}`.trim() };
  }
}

const good = (o: Outcome) => o.kind === 'status' && o.status === 200 && o.verdict === 'accepted';

const fmt = (ms: number) => (Number.isNaN(ms) ? '      -' : `${ms.toFixed(1).padStart(7)}`);
const lat = (v: number[]) => `p50 ${fmt(percentile(v, 50))} ms   p99 ${fmt(percentile(v, 99))} ms   max ${fmt(v.length ? Math.max(...v) : NaN)} ms   (n=${v.length})`;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Closed loop: `clients` loops, each sending its next request once the previous is answered, until `ms` have passed. */
async function closedLoop(clients: number, ms: number): Promise<{ outcomes: Outcome[]; elapsedMs: number }> {
  const outcomes: Outcome[] = [];
  const t0 = performance.now();
  const end = t0 + ms;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < end) outcomes.push(await submit());
    }),
  );
  return { outcomes, elapsedMs: performance.now() - t0 };
}

/** CPU of this process (service + load generator), of the whole host, and where sandboxes came from, at one moment. */
interface Snapshot {
  at: number;
  processCpuUs: number;
  hostBusyMs: number;
  hostTotalMs: number;
  sandboxes: Record<string, number>;
}
async function snapshot(): Promise<Snapshot> {
  const cpu = process.cpuUsage();
  let busy = 0;
  let total = 0;
  for (const c of os.cpus()) {
    const t = c.times.user + c.times.nice + c.times.sys + c.times.irq + c.times.idle;
    total += t;
    busy += t - c.times.idle;
  }
  const sandboxes: Record<string, number> = {};
  for (const v of (await app.metrics.sandboxSources.get()).values) sandboxes[String(v.labels.source)] = v.value;
  return { at: performance.now(), processCpuUs: cpu.user + cpu.system, hostBusyMs: busy, hostTotalMs: total, sandboxes };
}
function usage(a: Snapshot, b: Snapshot): string {
  const wall = b.at - a.at;
  const proc = (b.processCpuUs - a.processCpuUs) / 1000 / wall;
  const host = (b.hostBusyMs - a.hostBusyMs) / Math.max(1, b.hostTotalMs - a.hostTotalMs);
  const sources = ['pool', 'fresh', 'reused'].map((k) => `${k} ${(b.sandboxes[k] ?? 0) - (a.sandboxes[k] ?? 0)}`).join(', ');
  return `this process ${(proc * 100).toFixed(0)} % of one CPU; host ${(host * 100).toFixed(0)} % busy of ${os.cpus().length} CPUs; sandboxes: ${sources}`;
}

let peakRss = process.memoryUsage().rss;
const rssSampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 250);
rssSampler.unref();

let crashed = false;
let leftAfterClose: number | undefined;
try {
  console.log(
    `overload bench: ${os.cpus().length} CPUs, concurrency ${config.concurrency}, queue limit ${config.queueLimit}, pool max idle ${config.poolMaxIdle}, ` +
      `one-test Python submission, cache off; overload ${seconds} s at ${factor} × peak`,
  );

  // Warm-up: the engine, the image, Node's JIT, the pool.
  await closedLoop(config.concurrency, WARMUP_MS);
  const rssBefore = process.memoryUsage().rss;

  // Phase 1: peak goodput with a closed loop that keeps the queue busy but never full.
  const clients = 2 * config.concurrency;
  const peakStart = await snapshot();
  const peak = await closedLoop(clients, PEAK_MS);
  const peakEnd = await snapshot();
  const peakGood = peak.outcomes.filter(good);
  const peakRate = peakGood.length / (peak.elapsedMs / 1000);
  const peakOther = peak.outcomes.length - peakGood.length;
  console.log(`\nphase 1, peak: closed loop, ${clients} clients, ${(peak.elapsedMs / 1000).toFixed(1)} s`);
  console.log(`  goodput            ${peakRate.toFixed(2)} verdicts/s (${peakGood.length} accepted${peakOther ? `, ${peakOther} other answers` : ''})`);
  console.log(`  latency of 200s    ${lat(peakGood.map((o) => o.ms))}`);
  console.log(`  resources          ${usage(peakStart, peakEnd)}`);
  if (peakRate <= 0) throw new Error('no verdict at peak: nothing to overload');

  // Phase 2: open loop at factor × peak, Poisson arrivals on an absolute schedule (a late timer sends the backlog at once).
  const rate = factor * peakRate;
  const pending = new Set<Promise<void>>();
  const outcomes: Outcome[] = [];
  let notSent = 0;
  let maxInFlight = 0;
  let maxQueued = 0;
  let maxRunning = 0;
  const statsSampler = setInterval(() => {
    const s = app.judge.stats();
    maxQueued = Math.max(maxQueued, s.queued);
    maxRunning = Math.max(maxRunning, s.running);
  }, 50);
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  const overloadStart = await snapshot();
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  let next = t0;
  let sent = 0;
  while (next < end && sent + notSent < MAX_REQUESTS) {
    const wait = next - performance.now();
    if (wait > 1) await sleep(wait);
    if (pending.size >= MAX_IN_FLIGHT) notSent++;
    else {
      sent++;
      const p = submit().then((o) => {
        outcomes.push(o);
        pending.delete(p);
      });
      pending.add(p);
      maxInFlight = Math.max(maxInFlight, pending.size);
    }
    next += -Math.log(1 - Math.random()) * (1000 / rate);
  }
  const sendingEnded = performance.now();
  const overloadEnd = await snapshot();
  await Promise.all([...pending]);
  const allAnswered = performance.now();
  loopDelay.disable();
  clearInterval(statsSampler);
  const rssAfter = process.memoryUsage().rss;

  const window = (sendingEnded - t0) / 1000;
  const ok = outcomes.filter(good);
  const okInWindow = ok.filter((o) => o.at <= sendingEnded).length;
  const byStatus = (s: number) => outcomes.filter((o) => o.kind === 'status' && o.status === s);
  const s200 = byStatus(200);
  const s429 = byStatus(429);
  const s503 = byStatus(503);
  const other = outcomes.filter((o) => o.kind === 'status' && o.status !== 200 && o.status !== 429 && o.status !== 503);
  const timeouts = outcomes.filter((o) => o.kind === 'timeout');
  const connErrors = outcomes.filter((o) => o.kind === 'connection');
  const retryAfters = s429.map((o) => Number(o.retryAfter));
  const validRetryAfter = s429.filter((o) => /^\d+$/.test(o.retryAfter ?? '') && Number(o.retryAfter) >= 1 && Number(o.retryAfter) <= 60).length;
  const codes = (list: Outcome[]) => {
    const m = new Map<string, number>();
    for (const o of list) m.set(o.code ?? o.error ?? String(o.status), (m.get(o.code ?? o.error ?? String(o.status)) ?? 0) + 1);
    return [...m].map(([k, v]) => `${k} × ${v}`).join(', ');
  };

  console.log(`\nphase 2, overload: open loop (Poisson), ${window.toFixed(1)} s of arrivals, all answered ${((allAnswered - sendingEnded) / 1000).toFixed(1)} s later`);
  console.log(`  offered            ${(sent / window).toFixed(2)} requests/s (target ${rate.toFixed(2)} = ${factor} × peak), ${sent} sent${notSent ? `, ${notSent} not sent (in-flight cap ${MAX_IN_FLIGHT})` : ''}`);
  console.log(`  goodput            ${(okInWindow / window).toFixed(2)} verdicts/s during arrivals = ${((okInWindow / window / peakRate) * 100).toFixed(0)} % of peak` +
    ` (${ok.length} accepted in all, ${(ok.length / ((allAnswered - t0) / 1000)).toFixed(2)}/s until the last answer)`);
  console.log(`  answers            200 × ${s200.length} (${s200.length - ok.length} not accepted), 429 × ${s429.length}, 503 × ${s503.length}, other × ${other.length}, timeouts × ${timeouts.length}, connection errors × ${connErrors.length}`);
  if (s503.length) console.log(`  503 codes          ${codes(s503)}`);
  if (other.length) console.log(`  other              ${codes(other)}`);
  if (connErrors.length) console.log(`  connection errors  ${codes(connErrors)}`);
  console.log(`  latency of 200s    ${lat(s200.map((o) => o.ms))}`);
  console.log(`  latency of 429s    ${lat(s429.map((o) => o.ms))}`);
  console.log(
    `  Retry-After        ${validRetryAfter === s429.length ? 'on every 429' : `MISSING OR INVALID on ${s429.length - validRetryAfter} of ${s429.length} 429s`}` +
      (s429.length ? `; values min ${Math.min(...retryAfters)} / p50 ${percentile(retryAfters, 50)} / max ${Math.max(...retryAfters)} s` : ''),
  );
  console.log(`  in flight          max ${maxInFlight} requests; scheduler max ${maxRunning} running, ${maxQueued} queued (limit ${config.queueLimit})`);
  console.log(`  resources          ${usage(overloadStart, overloadEnd)} (during arrivals)`);
  console.log(`  event loop delay   p50 ${(loopDelay.percentile(50) / 1e6).toFixed(1)} ms   p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms   max ${(loopDelay.max / 1e6).toFixed(1)} ms`);
  console.log(`  RSS                before ${mib(rssBefore)}, after ${mib(rssAfter)}, peak ${mib(peakRss)} (service and load generator together)`);

  // Does it still work? One more verdict and readiness, after the storm.
  await sleep(500);
  const check = await submit();
  const ready = await request(`${address}/readyz`, { dispatcher, signal: AbortSignal.timeout(30_000) });
  const readyBody = (await ready.body.json()) as { saturated?: boolean };
  console.log(`  afterwards         submission: HTTP ${check.status || check.kind} ${check.verdict ?? check.code ?? check.error ?? ''}; /readyz ${ready.statusCode}, saturated ${readyBody.saturated}`);
  if (check.kind !== 'status') crashed = true;
} catch (err) {
  console.error('the bench failed:', err);
  crashed = true;
} finally {
  clearInterval(rssSampler);
  await dispatcher.close().catch(() => undefined);
  const closeStarted = performance.now();
  try {
    await app.close();
  } catch (err) {
    console.error('app.close() failed:', err);
    crashed = true;
  }
  try {
    leftAfterClose = await engine.countManaged({ [LABEL_INSTANCE]: instanceId });
  } catch (err) {
    console.error('could not count containers after close:', err);
  }
  console.log(
    `\nafter close (${((performance.now() - closeStarted) / 1000).toFixed(1)} s): managed containers of instance ${instanceId} left: ${leftAfterClose ?? 'unknown'}` +
      (leftAfterClose ? '  <-- LEAK' : ''),
  );
}
process.exit(crashed ? 1 : 0);
