/**
 * The compose deployment under load, through its balancer: the same closed-loop
 * load against 1 replica (the baseline, measured first in this run) and then
 * 2 replicas behind HAProxy, each a fresh compose project on a free loopback
 * port. Prints one row per replica count and the 2-to-1 ratios; asserts nothing.
 *
 *   load — `requests` POST /v1/submissions, each one of HumanEvalPack's 164
 *          Python canonical solutions with its check() appended (cycling), no
 *          tests and no cache: accepted when it exits 0. At most `concurrency`
 *          in flight over keep-alive connections; no new request after 240 s.
 *
 * Usage: node --import tsx bench/cluster.ts [requests=328] [concurrency=8]
 * Environment: VERDICT_CONCURRENCY, VERDICT_QUEUE_LIMIT (passed to the
 * replicas), VERDICT_HUMANEVALPACK_DIR. Builds both images first (cached).
 * Progress goes to stderr, the table to stdout.
 */
import { setMaxListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'undici';
import { LABEL_INSTANCE, LABEL_MANAGED } from '../src/sandbox/docker-engine.js';
import type { SubmissionResult } from '../src/schemas.js';
import { ROOT, containers, docker, request, run, waitReady } from '../test/helpers/cluster.js';
import { freePort, until } from '../test/helpers/wait.js';
import { percentile } from './percentile.js';

const requests = Number(process.argv[2] ?? 328);
const concurrency = Number(process.argv[3] ?? 8);
if (!Number.isInteger(requests) || requests < 1 || !Number.isInteger(concurrency) || concurrency < 1) {
  console.error('usage: node --import tsx bench/cluster.ts [requests=328] [concurrency=8]');
  process.exit(2);
}

const REPLICA_COUNTS = [1, 2] as const;
/** Past this, no new request is issued: the run stays bounded on a slow or shared machine. */
const ISSUE_WINDOW_MS = 240_000;
/** Client-side bound on one request; hitting it counts as an error, not a latency. */
const REQUEST_TIMEOUT_MS = 120_000;
/** A first start builds the sandbox images inside the replica: minutes. */
const READY_TIMEOUT_MS = 900_000;

const cpus = os.availableParallelism();
const dataDir = process.env.VERDICT_HUMANEVALPACK_DIR || path.resolve(ROOT, '../shared/data/humanevalpack');

interface Program {
  task: string;
  source: string;
}

function programs(): Program[] {
  return readFileSync(path.join(dataDir, 'python.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { task_id: string; prompt: string; canonical_solution: string; test: string; entry_point: string })
    .map((r) => ({ task: r.task_id, source: `${r.prompt}${r.canonical_solution}\n${r.test}\n` + `check(${r.entry_point})\n` }));
}

interface Sample {
  task: string;
  ms: number;
  /** HTTP status, or 0 when no answer came (timeout, connection lost). */
  status: number;
  verdict?: string;
  /** x-verdict-instance; absent on the balancer's own answers and on errors. */
  instance?: string;
  /** For anything but accepted: why, briefly. */
  detail?: string;
}

interface RunResult {
  replicas: number;
  samples: Sample[];
  wallMs: number;
  issued: number;
  load: [number, number];
  leftSandboxes: number;
}

// ---------- interruption ----------

// Ctrl-C must still take the projects down: the first signal stops the load and
// lets each `finally` run `down`; a second one leaves at once.
const stop = new AbortController();
// Every request in flight listens to it: more than Node's default warning threshold of 10.
setMaxListeners(256, stop.signal);
let liveProject = '';
let composeCmd: string[] = [];
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (!stop.signal.aborted) {
      console.error(`\n${sig}: stopping the load and taking the cluster down (${sig} again to leave it as it is)`);
      stop.abort(new Error(`interrupted by ${sig}`));
      return;
    }
    if (liveProject) console.error(`left running; remove with: ${composeCmd.join(' ')} -p ${liveProject} -f docker-compose.yml down -t 30`);
    process.exit(130);
  });
}

/** Waiting helpers from test/helpers take no signal; racing them is enough, since the process exits at the end. */
function abortable<T>(p: Promise<T>): Promise<T> {
  if (stop.signal.aborted) return Promise.reject(stop.signal.reason as Error);
  let onAbort = (): void => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(stop.signal.reason as Error);
    stop.signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([p, aborted]).finally(() => stop.signal.removeEventListener('abort', onAbort));
}

// ---------- load ----------

function detailOf(result: SubmissionResult): string {
  const t = result.tests.find((x) => x.verdict !== 'accepted') ?? result.tests[0];
  if (!t) return `no test result (compile ${result.compile?.status ?? 'none'})`;
  const why = t.failure?.exceptionType
    ? `${t.failure.exceptionType}${t.failure.message ? `: ${t.failure.message}` : ''}`
    : (t.stderr.trim().split('\n').at(-1) ?? '') || `exit ${t.exitCode ?? '-'}${t.signal ? ` ${t.signal}` : ''}`;
  return `${why.slice(0, 120)}; cpu ${t.cpuTimeMs.toFixed(0)} ms, wall ${t.wallTimeMs.toFixed(0)} ms`;
}

async function submit(pool: Pool, program: Program): Promise<Sample> {
  const t0 = performance.now();
  try {
    const res = await pool.request({
      path: '/v1/submissions',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ language: 'python', source: program.source, cache: false }),
      signal: stop.signal,
    });
    const text = await res.body.text();
    // To the last byte of the body: what a client waits for.
    const ms = performance.now() - t0;
    const header = res.headers['x-verdict-instance'];
    const instance = Array.isArray(header) ? header[0] : header;
    const sample: Sample = { task: program.task, ms, status: res.statusCode, ...(instance ? { instance } : {}) };
    if (res.statusCode !== 200) return { ...sample, detail: text.slice(0, 160) };
    const result = JSON.parse(text) as SubmissionResult;
    return { ...sample, verdict: result.verdict, ...(result.verdict === 'accepted' ? {} : { detail: detailOf(result) }) };
  } catch (err) {
    return { task: program.task, ms: performance.now() - t0, status: 0, detail: (err as Error).message.slice(0, 160) };
  }
}

/** A closed loop: `width` workers, each sending its next request when the last one is answered. */
async function load(pool: Pool, list: Program[], count: number, width: number, windowMs: number) {
  const samples: Sample[] = [];
  let next = 0;
  const t0 = performance.now();
  const issueUntil = t0 + windowMs;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count && !stop.signal.aborted && performance.now() < issueUntil) {
        const program = list[next++ % list.length]!;
        samples.push(await submit(pool, program));
      }
    }),
  );
  if (stop.signal.aborted) throw stop.signal.reason as Error;
  return { samples, wallMs: performance.now() - t0, issued: next };
}

// ---------- one compose project per replica count ----------

async function measure(replicas: number, list: Program[], images: { service: string; lb: string }): Promise<RunResult | undefined> {
  const project = `verdict-bench-${replicas}`;
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    VERDICT_REPLICAS: String(replicas),
    VERDICT_PORT: String(port),
    LOG_LEVEL: 'warn',
    VERDICT_SERVICE_IMAGE: images.service,
    VERDICT_LB_IMAGE: images.lb,
  };
  const compose = (timeoutMs: number, ...args: string[]) =>
    run(composeCmd[0]!, [...composeCmd.slice(1), '-p', project, '-f', 'docker-compose.yml', ...args], { env, timeoutMs });

  let pool: Pool | undefined;
  let result: RunResult | undefined;
  liveProject = project;
  try {
    // A project of this name left by a killed earlier run would otherwise be reused as it is.
    await compose(180_000, 'down', '-t', '30');
    console.error(`${project}: up on ${baseUrl}`);
    // --scale as well as VERDICT_REPLICAS: docker-compose v1 need not honour deploy.replicas outside Swarm.
    // Not raced against Ctrl-C: a `down` while `up` still runs would race it.
    await compose(READY_TIMEOUT_MS, 'up', '-d', '--scale', `verdict=${replicas}`);
    if (stop.signal.aborted) throw stop.signal.reason as Error;
    await abortable(waitReady(baseUrl, READY_TIMEOUT_MS));
    // The balancer answers as soon as one replica passes its health check; the
    // measured run must not start before every one has.
    const seen = new Set<string>();
    await abortable(
      until(`${replicas} replicas in rotation`, async () => {
        const reply = await request(`${baseUrl}/readyz`, { timeoutMs: 5_000 });
        if (reply.status === 200 && reply.headers['x-verdict-instance']) seen.add(String(reply.headers['x-verdict-instance']));
        return seen.size >= replicas;
      }, { timeoutMs: 180_000, intervalMs: 500 }),
    );

    pool = new Pool(baseUrl, { connections: concurrency, headersTimeout: REQUEST_TIMEOUT_MS, bodyTimeout: REQUEST_TIMEOUT_MS });
    console.error(`${project}: ${seen.size} replica(s) in rotation; warm-up (${2 * concurrency} requests)`);
    // Warm-up: each replica's sandbox pool, the page cache, the connections to the balancer.
    const warm = await load(pool, list, 2 * concurrency, concurrency, ISSUE_WINDOW_MS);
    const warmBad = warm.samples.filter((x) => x.status !== 200 || x.verdict !== 'accepted');
    if (warmBad.length > 0) console.error(`${project}: warm-up: ${warmBad.length} not accepted, e.g. ${warmBad[0]!.task} ${warmBad[0]!.status} ${warmBad[0]!.verdict ?? ''} ${warmBad[0]!.detail ?? ''}`);
    console.error(`${project}: measuring ${requests} requests, ${concurrency} in flight`);
    const loadBefore = os.loadavg()[0]!;
    const { samples, wallMs, issued } = await load(pool, list, requests, concurrency, ISSUE_WINDOW_MS);
    result = { replicas, samples, wallMs, issued, load: [loadBefore, os.loadavg()[0]!], leftSandboxes: 0 };
  } finally {
    await pool?.close().catch(() => undefined);
    // Asked before down: afterwards the replicas are gone, but their ids still name their sandboxes.
    const replicaIds = (await compose(60_000, 'ps', '-q', 'verdict').catch(() => ({ stdout: '' }))).stdout.split('\n').filter(Boolean);
    console.error(`${project}: down`);
    // Replicas drain on SIGTERM; with the load stopped, 30 s is ample.
    await compose(300_000, 'down', '-t', '30').catch((err: Error) => console.error(`${project}: down failed: ${err.message}`));
    const left = await sweep(project, replicaIds);
    if (result) result.leftSandboxes = left;
    liveProject = '';
  }
  return result;
}

/** Sandboxes a replica should have removed while draining: counted (the figure says whether draining works), then removed. */
async function sweep(project: string, replicaIds: string[]): Promise<number> {
  let left = 0;
  for (const id of replicaIds) {
    // A replica's instance id is its hostname: the first 12 characters of its container id.
    const ids = await containers([`${LABEL_MANAGED}=true`, `${LABEL_INSTANCE}=${id.slice(0, 12)}`]).catch(() => []);
    left += ids.length;
    if (ids.length > 0) await docker('rm', '-f', ...ids).catch(() => undefined);
  }
  const own = (await docker('ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`).catch(() => ({ stdout: '' }))).stdout;
  if (own) console.error(`${project}: containers still there after down: ${own.split('\n').join(' ')}`);
  return left;
}

// ---------- figures ----------

function figures(r: RunResult) {
  const answered = r.samples.filter((s) => s.status === 200);
  const ok = answered.filter((s) => s.verdict === 'accepted').length;
  const refused = new Map<string, number>();
  for (const s of r.samples) if (s.status !== 200) refused.set(s.status === 0 ? 'err' : String(s.status), (refused.get(s.status === 0 ? 'err' : String(s.status)) ?? 0) + 1);
  const perInstance = new Map<string, number>();
  for (const s of answered) perInstance.set(s.instance ?? '?', (perInstance.get(s.instance ?? '?') ?? 0) + 1);
  const shares = [...perInstance.values()].sort((a, b) => b - a).map((n) => Math.round((100 * n) / Math.max(1, answered.length)));
  const ms = answered.map((s) => s.ms);
  return {
    ok,
    other: answered.length - ok,
    refused: [...refused.entries()].map(([k, n]) => `${k}×${n}`).join(' ') || '-',
    rate: answered.length / (r.wallMs / 1000),
    p50: percentile(ms, 50),
    p90: percentile(ms, 90),
    p99: percentile(ms, 99),
    share: shares.length > 0 ? `${shares.join('/')} %` : '-',
  };
}

function report(results: RunResult[], list: Program[]): void {
  const num = (x: number, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : '-');
  const cols: Array<[string, number]> = [
    ['replicas', 8], ['requests', 8], ['ok', 5], ['other', 5], ['refused/errors', 14],
    ['req/s', 7], ['p50 ms', 8], ['p90 ms', 8], ['p99 ms', 8], ['share', 10], ['load 1m', 10],
  ];
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === 4 || i >= 9 ? c.padEnd(cols[i]![1]) : c.padStart(cols[i]![1]))).join(' ').trimEnd();

  console.log(`\nHumanEvalPack Python canonical programs (${list.length}, cycled), ${concurrency} in flight through the balancer on loopback, cache off`);
  console.log(`this machine: ${cpus} CPUs; sandbox slots per replica: ${process.env.VERDICT_CONCURRENCY ?? `${cpus} (default: its CPU count)`}`);
  console.log(line(cols.map(([name]) => name)));
  const figs = results.map((r) => ({ r, f: figures(r) }));
  for (const { r, f } of figs) {
    const requested = r.issued < requests ? `${r.samples.length}/${requests}` : String(r.samples.length);
    console.log(
      line([
        String(r.replicas), requested, String(f.ok), String(f.other), f.refused,
        num(f.rate, 2), num(f.p50), num(f.p90), num(f.p99), f.share, `${r.load[0].toFixed(1)}→${r.load[1].toFixed(1)}`,
      ]),
    );
  }
  console.log('ok: 200 and accepted; other: 200 with another verdict; refused/errors: other statuses, err = no answer (timeout, connection lost)');
  console.log('req/s: verdicts (200) per second, first request to last answer; p50/p90/p99: over those answers, at the client, body included');
  console.log('share: verdicts per replica, largest first; load 1m: this machine\'s load average before → after (other work shares it)');

  const cut = results.filter((r) => r.issued < requests);
  for (const r of cut) console.log(`note: ${r.replicas} replica(s): stopped issuing after ${ISSUE_WINDOW_MS / 1000} s, ${r.issued} of ${requests} sent`);
  for (const r of results) if (r.leftSandboxes > 0) console.log(`note: ${r.replicas} replica(s): ${r.leftSandboxes} sandbox container(s) left after down (removed by this bench)`);

  const one = figs.find((x) => x.r.replicas === 1);
  const two = figs.find((x) => x.r.replicas === 2);
  if (one && two) {
    console.log(`\n2 replicas / 1 replica: throughput ×${(two.f.rate / one.f.rate).toFixed(2)}, p50 ×${(two.f.p50 / one.f.p50).toFixed(2)}`);
    console.log(
      `Both replicas run on this one machine and share its ${cpus} CPUs and Docker engine: the ratio shows the balancer's overhead and how it spreads load on one host, not what a second host would add.`,
    );
  }

  // Every canonical solution should be accepted; a flaky one is reported, not hidden.
  const failures = new Map<string, { count: number; detail: string }>();
  for (const r of results) {
    for (const s of r.samples) {
      if (s.status === 200 && s.verdict === 'accepted') continue;
      const key = `${r.replicas} replica(s)  ${s.task}  ${s.status === 200 ? s.verdict : s.status === 0 ? 'no answer' : `HTTP ${s.status}`}`;
      const seen = failures.get(key);
      if (seen) seen.count++;
      else failures.set(key, { count: 1, detail: `${s.detail ?? ''}${s.instance ? ` [${s.instance}]` : ''}` });
    }
  }
  console.log(failures.size === 0 ? '\nevery canonical solution accepted' : '\nnot accepted:');
  for (const [key, { count, detail }] of failures) console.log(`  ${key}${count > 1 ? ` ×${count}` : ''}: ${detail}`);
}

// ---------- main ----------

const list = programs();
let exitCode = 0;
const results: RunResult[] = [];
try {
  composeCmd = (await run('bash', ['scripts/ensure-compose.sh'])).stdout.split(' ');
  console.error('building images (cached when unchanged)');
  const lastLine = (s: string) => s.split('\n').at(-1)!.trim();
  const service = lastLine((await run('bash', ['deploy/build-service-image.sh'], { timeoutMs: 1_800_000 })).stdout);
  const lb = lastLine((await run('bash', ['deploy/build-lb-image.sh'], { timeoutMs: 900_000 })).stdout);
  console.error(`images: ${service}, ${lb}; compose: ${composeCmd.join(' ')}`);
  for (const replicas of REPLICA_COUNTS) {
    if (stop.signal.aborted) throw stop.signal.reason as Error;
    const result = await measure(replicas, list, { service, lb });
    if (result) results.push(result);
  }
} catch (err) {
  exitCode = stop.signal.aborted ? 130 : 1;
  console.error(`cluster bench: ${(err as Error).message}`);
}
if (results.length > 0) report(results, list);
// Pollers raced by abortable() may still be waiting; nothing else is left to finish.
process.exit(exitCode);
