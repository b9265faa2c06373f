/**
 * POST /v1/label on HumanEvalPack Python: single-line mutants of every canonical solution
 * (swapped operators, off-by-one integer literals, deleted lines; at most 8 per problem, see
 * test/helpers/mutants.ts), one label request per problem with coverage, a few in flight.
 * Then the answers are checked against independent POST /v1/submissions runs:
 *   (a) every reference passed;
 *   (b) a sample of killed variants (every Nth), judged alone, get killedBy.verdict, and the
 *       test killedBy names failed;
 *   (c) each surviving variant is survived_not_covered exactly when an independent coverage
 *       run of the reference (and of the variant, for a replaced line the reference never ran)
 *       shows no test executing the edit.
 * Prints label statistics, time per variant and per request, and the violations; asserts nothing.
 *
 * Usage: node --import tsx bench/label-humanevalpack.ts [--every=5] [--inflight=3] [--tasks=Python/0,Python/1] [--out=file.json]
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { buildApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { DockerEngine, LABEL_INSTANCE } from '../src/sandbox/docker-engine.js';
import type { LabelResponse } from '../src/schemas.js';
import {
  checkLabel,
  humanEvalPackDir,
  labelBody,
  loadPythonProblems,
  missingData,
  mutantKinds,
  pythonMutants,
  type CheckCounts,
  type Mutant,
  type Post,
  type PythonProblem,
  type Violation,
} from '../test/helpers/mutants.js';
import { percentile } from './percentile.js';
import { pool } from './pool.js';

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k!, v ?? ''];
  }),
);
const every = Number(args.every ?? 5);
const inflight = Number(args.inflight ?? 3);
const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const dataDir = humanEvalPackDir(repoRoot);
const missing = missingData(dataDir);
if (missing) throw new Error(missing);

let problems = loadPythonProblems(dataDir);
if (args.tasks) {
  const wanted = new Set(args.tasks.split(','));
  problems = problems.filter((p) => wanted.has(p.task_id));
}
const work = problems.map((p) => ({ problem: p, mutants: pythonMutants(p.prompt, p.canonical_solution) }));

const instanceId = `bench-label-${process.pid}`;
const config = parseConfig({ LOG_LEVEL: 'warn' }, { cpuCount: os.availableParallelism(), randomId: instanceId });
const engine = new DockerEngine({});
const app = await buildApp({ config, engine });
const address = await app.listen({ host: '127.0.0.1', port: 0 });

const post: Post = async (url, body) => {
  const res = await request(`${address}${url}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  const text = await res.body.text();
  return { statusCode: res.statusCode, body: JSON.parse(text) as unknown };
};

interface Done {
  problem: PythonProblem;
  mutants: Mutant[];
  response?: LabelResponse;
  error?: string;
  clientMs: number;
}

const done = new Map<string, Done>();
let labelMs = 0;
let checkMs = 0;
const violations: Violation[] = [];
const counts: CheckCounts = { killedChecked: 0, survivorsChecked: 0, variantCoverageRuns: 0, submissions: 0 };
try {
  // Warm-up: the image in the page cache and the interpreter's files, outside the measurement.
  await post('/v1/submissions', { language: 'python', source: 'print(1)\n', cache: false, coverage: true });

  const t0 = performance.now();
  await pool(inflight, work, async ({ problem, mutants }) => {
    const started = performance.now();
    const res = await post('/v1/label', labelBody(problem, mutants));
    const clientMs = performance.now() - started;
    if (res.statusCode !== 200) done.set(problem.task_id, { problem, mutants, clientMs, error: `HTTP ${res.statusCode}: ${JSON.stringify(res.body).slice(0, 500)}` });
    else done.set(problem.task_id, { problem, mutants, clientMs, response: res.body as LabelResponse });
  });
  labelMs = performance.now() - t0;

  // Every Nth killed variant in problem order, so the sample does not depend on completion order.
  const sampled = new Set<string>();
  let ordinal = 0;
  for (const { problem } of work) {
    for (const v of done.get(problem.task_id)?.response?.variants ?? []) {
      if (v.outcome === 'killed' && ordinal++ % every === 0) sampled.add(`${problem.task_id}#${v.id}`);
    }
  }
  const t1 = performance.now();
  await pool(inflight, work, async ({ problem, mutants }) => {
    const d = done.get(problem.task_id)!;
    if (!d.response) {
      violations.push({ check: 'status', taskId: problem.task_id, message: `label request failed: ${d.error}` });
      return;
    }
    const r = await checkLabel(post, problem, mutants, d.response, (id) => sampled.has(`${problem.task_id}#${id}`));
    violations.push(...r.violations);
    for (const k of Object.keys(counts) as Array<keyof CheckCounts>) counts[k] += r.counts[k];
  });
  checkMs = performance.now() - t1;
} finally {
  await app.close();
}

// ---------- report ----------

const responses = [...done.values()].flatMap((d) => (d.response ? [{ d, r: d.response }] : []));
const refsPassed = responses.filter(({ r }) => r.reference.status === 'passed').length;
const refsFailed = [...done.values()].filter((d) => d.response?.reference.status !== 'passed').map((d) => d.problem.task_id);
const totalVariants = work.reduce((n, w) => n + w.mutants.length, 0);
const sum = (f: (r: LabelResponse) => number) => responses.reduce((n, { r }) => n + f(r), 0);
const killedBy: Record<string, number> = {};
for (const { r } of responses) for (const [c, n] of Object.entries(r.summary.killedBy)) killedBy[c] = (killedBy[c] ?? 0) + n;
const byKind: Record<string, Record<string, number>> = {};
for (const { r } of responses) {
  for (const v of r.variants) {
    const kind = String(v.tags?.kind);
    const key = v.status !== 'ok' ? v.status : v.outcome === 'killed' ? `killed:${v.killedBy!.cause}` : v.outcome!;
    const row = (byKind[kind] ??= {});
    row[key] = (row[key] ?? 0) + 1;
  }
}
const clientTimes = [...done.values()].map((d) => d.clientMs).sort((a, b) => a - b);
const violationsBy: Record<string, number> = {};
for (const v of violations) violationsBy[v.check] = (violationsBy[v.check] ?? 0) + 1;

const row = (k: string, v: string | number) => console.log(`${k.padEnd(44)} ${String(v)}`);
console.log(`\nPOST /v1/label on HumanEvalPack python, concurrency ${config.concurrency} on ${os.availableParallelism()} CPUs, ${inflight} requests in flight`);
row('problems (label requests)', work.length);
row('references passed', `${refsPassed}/${work.length}${refsFailed.length ? ` (not passed: ${refsFailed.join(', ')})` : ''}`);
row('variants', `${totalVariants} (${mutantKinds.map((k) => `${k} ${work.reduce((n, w) => n + w.mutants.filter((m) => m.tags.kind === k).length, 0)}`).join(', ')})`);
row('  killed', sum((r) => r.summary.killed));
for (const c of Object.keys(killedBy).sort()) row(`    by ${c}`, killedBy[c]!);
row('  survived', sum((r) => r.summary.survived));
row('  survived_not_covered', sum((r) => r.summary.survivedNotCovered));
row('  error / not_run', `${sum((r) => r.summary.error)} / ${sum((r) => r.summary.notRun)}`);
row('distinct programs judged (variants + refs)', `${sum((r) => r.summary.judged)} + ${responses.length}`);
row('label wall time, all requests', `${(labelMs / 1000).toFixed(1)} s`);
row('wall time per variant (total wall / variants)', `${(labelMs / totalVariants).toFixed(1)} ms`);
row('wall time per request (client): mean/p50/max', `${(clientTimes.reduce((a, b) => a + b, 0) / clientTimes.length).toFixed(0)} / ${percentile(clientTimes, 50).toFixed(0)} / ${clientTimes.at(-1)!.toFixed(0)} ms`);
console.log('\noutcomes by mutant kind');
const cols = [...new Set(Object.values(byKind).flatMap((r) => Object.keys(r)))].sort();
console.log(`${'kind'.padEnd(10)}${cols.map((c) => c.padStart(22)).join('')}`);
for (const k of mutantKinds) console.log(`${k.padEnd(10)}${cols.map((c) => String(byKind[k]?.[c] ?? 0).padStart(22)).join('')}`);
console.log('\nconsistency checks (independent POST /v1/submissions runs)');
row('(a) references passed', `${refsPassed}/${work.length}, violations ${violationsBy.a_reference ?? 0}`);
row(`(b) killed variants re-judged (every ${every}th)`, `${counts.killedChecked}, violations ${violationsBy.b_killed ?? 0}`);
row('(c) survivors checked against coverage', `${counts.survivorsChecked} (variant coverage runs ${counts.variantCoverageRuns}), violations ${violationsBy.c_coverage ?? 0}`);
row('edit facts / variant status', `violations ${violationsBy.edit_facts ?? 0} / ${violationsBy.status ?? 0}`);
row('check submissions, wall time', `${counts.submissions}, ${(checkMs / 1000).toFixed(1)} s`);
for (const v of violations) console.log(`  VIOLATION ${v.check} ${v.taskId}${v.variantId ? ` ${v.variantId}` : ''}: ${v.message}`);

const notCovered = responses.filter(({ r }) => r.summary.survivedNotCovered > 0).map(({ d }) => d.problem.task_id);
console.log(`\nproblems with a survived_not_covered variant: ${notCovered.join(', ') || 'none'}`);
const left = await engine.countManaged({ [LABEL_INSTANCE]: instanceId });
console.log(`sandbox containers left behind: ${left}`);

if (args.out) {
  const perProblem = responses.map(({ d, r }) => ({
    taskId: d.problem.task_id,
    clientMs: Math.round(d.clientMs),
    summary: r.summary,
    variants: r.variants.map((v) => ({ id: v.id, kind: v.tags?.kind, outcome: v.outcome, killedBy: v.killedBy, covered: v.covered, sameAs: v.sameAs })),
  }));
  writeFileSync(args.out, JSON.stringify({ perProblem, violations }, null, 1));
  console.log(`details written to ${args.out}`);
}
