/**
 * Batch throughput next to bare processes and a naive container per test,
 * all measured in this run on this machine. Prints a table; asserts nothing.
 *
 *   W1: HumanEvalPack's 164 Python canonical solutions with their testCode: a paired run each
 *       (the program served in its process, check(candidate) in a trusted one beside it).
 *   W1 one process: the same programs and tests as one file, judged by exit status: what the
 *       composed harness ran before test code moved to its own process (#15). The ratio of the
 *       two service rates is what the trusted process costs.
 *   W2: a generated stdin/stdout problem, 100 candidates × 20 tests, in
 *       Python and in C++ (right, wrong and crashing variants).
 *
 * Each is run three ways with the same width (the service's concurrency):
 *   service — one POST /v1/batch; the service reuses a sandbox within the request;
 *             W1 also one program per request, as verl's and most trainers' reward functions
 *             call a sandbox: through POST /v1/submissions, and W1 in one process through
 *             POST /run_code with verl's SandboxFusion body (sandboxes recycled across requests);
 *   bare    — the same programs as plain processes on this host, a worker pool;
 *   naive   — `docker run --rm` per test, compiling inside it (what peers do),
 *             on a sample (it is slow), reported per program.
 *
 * Usage: node --import tsx bench/throughput.ts [naiveSample=24] [workload name prefix, e.g. W1]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { buildApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { DockerEngine, LABEL_INSTANCE } from '../src/sandbox/docker-engine.js';
import type { BatchLine, BatchSummary } from '../src/schemas.js';
import { pool } from './pool.js';

const naiveSample = Number(process.argv[2] ?? 24);
const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const dataDir = process.env.VERDICT_HUMANEVALPACK_DIR || path.resolve(repoRoot, '../shared/data/humanevalpack');
// Debian's interpreter, as in the sandbox image; not a version-manager shim, whose start-up is a shell script.
const PYTHON = process.env.BARE_PYTHON ?? '/usr/bin/python3';

interface Program {
  id: string;
  language: 'python' | 'cpp';
  source: string;
  /** W1 only: appended test code (bare and naive run program + test code as one file). */
  testCode?: string;
}
interface TestCase {
  stdin: string;
  expectedStdout: string;
}
interface Workload {
  name: string;
  programs: Program[];
  tests: TestCase[];
}

// ---------- workloads ----------

function w1(): Workload {
  const rows = readFileSync(path.join(dataDir, 'python.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { task_id: string; prompt: string; canonical_solution: string; test: string;});
  return {
    name: 'W1 HumanEvalPack python',
    programs: rows.map((r) => ({ id: r.task_id, language: 'python', source: r.prompt + r.canonical_solution, testCode: r.test })),
    tests: [],
  };
}

function w1OneProcess(w: Workload): Workload {
  const rows = readFileSync(path.join(dataDir, 'python.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { task_id: string; entry_point: string });
  const entry = new Map(rows.map((r) => [r.task_id, r.entry_point]));
  return {
    name: 'W1 one process',
    programs: w.programs.map((p) => ({ id: p.id, language: 'python', source: `${p.source}\n${p.testCode}\ncheck(${entry.get(p.id)})\n` })),
    tests: [{ stdin: '', expectedStdout: '' }],
  };
}

/** A deterministic generator, so every run measures the same inputs. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Problem: n integers; print their sum, their maximum and how many are even. */
function w2Tests(): TestCase[] {
  const rand = lcg(42);
  return Array.from({ length: 20 }, (_, t) => {
    const n = 1 + Math.floor(rand() * (t < 10 ? 100 : 5000));
    const a = Array.from({ length: n }, () => Math.floor(rand() * 2_000_001) - 1_000_000);
    const sum = a.reduce((x, y) => x + y, 0);
    const even = a.filter((x) => x % 2 === 0).length;
    return { stdin: `${n}\n${a.join(' ')}\n`, expectedStdout: `${sum} ${Math.max(...a)} ${even}\n` };
  });
}

const PY_VARIANTS = [
  'import sys\nd = sys.stdin.read().split()\nn = int(d[0])\na = list(map(int, d[1:1 + n]))\nprint(sum(a), max(a), sum(1 for x in a if x % 2 == 0))\n',
  'n = int(input())\na = [int(x) for x in input().split()]\ns = 0\nm = a[0]\ne = 0\nfor x in a:\n    s += x\n    m = max(m, x)\n    e += x % 2 == 0\nprint(s, m, e)\n',
  // Wrong: counts odd numbers.
  'n = int(input())\na = list(map(int, input().split()))\nprint(sum(a), max(a), sum(x % 2 for x in a))\n',
  // Wrong on negative-only inputs.
  'n = int(input())\na = list(map(int, input().split()))\nm = 0\nfor x in a:\n    m = max(m, x)\nprint(sum(a), m, len([x for x in a if x % 2 == 0]))\n',
  // Crashes on large inputs.
  'import sys\nsys.setrecursionlimit(100)\ndef s(a):\n    return 0 if not a else a[0] + s(a[1:])\nn = int(input())\na = list(map(int, input().split()))\nprint(s(a), max(a), sum(1 for x in a if x % 2 == 0))\n',
];

const CPP_VARIANTS = [
  '#include <bits/stdc++.h>\nint main(){int n;scanf("%d",&n);long long s=0,m=LLONG_MIN,e=0;for(int i=0;i<n;i++){long long x;scanf("%lld",&x);s+=x;m=std::max(m,x);e+=(x%2==0);}printf("%lld %lld %lld\\n",s,m,e);}\n',
  '#include <bits/stdc++.h>\nusing namespace std;\nint main(){ios::sync_with_stdio(false);int n;cin>>n;vector<long long>a(n);for(auto&x:a)cin>>x;cout<<accumulate(a.begin(),a.end(),0LL)<<" "<<*max_element(a.begin(),a.end())<<" "<<count_if(a.begin(),a.end(),[](long long x){return x%2==0;})<<"\\n";}\n',
  // Wrong: int overflow is not reached, but odd counted instead of even.
  '#include <bits/stdc++.h>\nint main(){int n;scanf("%d",&n);long long s=0,m=LLONG_MIN,e=0;for(int i=0;i<n;i++){long long x;scanf("%lld",&x);s+=x;m=std::max(m,x);e+=(x%2!=0);}printf("%lld %lld %lld\\n",s,m,e);}\n',
  // Wrong: max starts at 0.
  '#include <bits/stdc++.h>\nint main(){int n;scanf("%d",&n);long long s=0,m=0,e=0;for(int i=0;i<n;i++){long long x;scanf("%lld",&x);s+=x;m=std::max(m,x);e+=(x%2==0);}printf("%lld %lld %lld\\n",s,m,e);}\n',
  // Crashes: a fixed buffer too small for the large tests.
  '#include <bits/stdc++.h>\nint a[1000];\nint main(){int n;scanf("%d",&n);long long s=0,m=LLONG_MIN,e=0;for(int i=0;i<n;i++){scanf("%d",&a[i*64]);s+=a[i*64];m=std::max(m,(long long)a[i*64]);e+=(a[i*64]%2==0);}printf("%lld %lld %lld\\n",s,m,e);}\n',
];

function w2(language: 'python' | 'cpp'): Workload {
  const variants = language === 'python' ? PY_VARIANTS : CPP_VARIANTS;
  const comment = language === 'python' ? '#' : '//';
  return {
    name: `W2 stdin/stdout ${language}`,
    // A distinct comment per candidate: 100 different programs, as a sampler would produce.
    programs: Array.from({ length: 100 }, (_, i) => ({ id: `c${i}`, language, source: `${variants[i % variants.length]}${comment} candidate ${i}\n` })),
    tests: w2Tests(),
  };
}

// ---------- the three ways ----------

function run(cmd: string, args: string[], stdin: string, cwd?: string): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['pipe', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdin);
  });
}

/**
 * Output compared with trailing whitespace cut from every line and trailing blank lines dropped.
 * trimEnd per line is linear; the regular expression /[ \t]+$/gm it replaces backtracks
 * quadratically on a long run of spaces inside a line (1.5 s for 20 000), and this is program output.
 */
const normalize = (s: string) => s.split('\n').map((line) => line.trimEnd()).join('\n').trimEnd();

/** Verdict counts, so the three ways can be checked to agree on what they judged. */
type Tally = Record<string, number>;
const bump = (t: Tally, k: string) => (t[k] = (t[k] ?? 0) + 1);

async function bare(w: Workload, width: number, dir: string): Promise<{ ms: number; tally: Tally }> {
  const tally: Tally = {};
  const t0 = performance.now();
  await pool(width, w.programs, async (p) => {
    const pdir = mkdtempSync(path.join(dir, 'bare-'));
    let argv: [string, string[]];
    if (p.language === 'cpp') {
      writeFileSync(path.join(pdir, 'main.cpp'), p.source);
      const cc = await run('g++', ['-std=gnu++17', '-O2', '-pipe', '-o', 'main', 'main.cpp', '-lm'], '', pdir);
      if (cc.code !== 0) return void bump(tally, 'compile_error');
      argv = ['./main', []];
    } else {
      writeFileSync(path.join(pdir, 'main.py'), p.source + (p.testCode ? `\n${p.testCode}` : ''));
      argv = [PYTHON, ['main.py']];
    }
    const tests = w.tests.length > 0 ? w.tests : [undefined];
    let verdict = 'accepted';
    for (const t of tests) {
      const r = await run(argv[0], argv[1], t?.stdin ?? '', pdir);
      const v = r.code !== 0 ? 'runtime_error' : t && normalize(r.stdout) !== normalize(t.expectedStdout) ? 'wrong_answer' : 'accepted';
      if (verdict === 'accepted' && v !== 'accepted') verdict = v;
    }
    bump(tally, verdict);
  });
  return { ms: performance.now() - t0, tally };
}

function imageTag(language: string): string {
  const out = spawnSync('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}', `verdict/sandbox-${language}`], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
  if (!out) throw new Error(`no verdict/sandbox-${language} image; run npm run images`);
  return out;
}

/** `docker run --rm` per test, compiling in each (peers recompile per test), on a sample of programs. */
async function naive(w: Workload, width: number, dir: string): Promise<{ ms: number; programs: number; tally: Tally }> {
  const tally: Tally = {};
  const sample = w.programs.slice(0, naiveSample);
  const t0 = performance.now();
  await pool(width, sample, async (p) => {
    const pdir = mkdtempSync(path.join(dir, 'naive-'));
    const image = imageTag(p.language);
    const file = p.language === 'cpp' ? 'main.cpp' : 'main.py';
    writeFileSync(path.join(pdir, file), p.source + (p.testCode ? `\n${p.testCode}` : ''));
    const script = p.language === 'cpp' ? 'cp /w/main.cpp /tmp/ && cd /tmp && g++ -std=gnu++17 -O2 -pipe -o main main.cpp -lm && ./main' : 'python3 /w/main.py';
    const tests = w.tests.length > 0 ? w.tests : [undefined];
    let verdict = 'accepted';
    for (const t of tests) {
      const r = await run(
        'docker',
        ['run', '--rm', '-i', '--network', 'none', '--memory', '256m', '--tmpfs', '/tmp:exec', '--entrypoint', '/bin/sh', '-v', `${pdir}:/w:ro`, image, '-c', script],
        t?.stdin ?? '',
      );
      const v = r.code !== 0 ? 'runtime_error' : t && normalize(r.stdout) !== normalize(t.expectedStdout) ? 'wrong_answer' : 'accepted';
      if (verdict === 'accepted' && v !== 'accepted') verdict = v;
    }
    bump(tally, verdict);
  });
  return { ms: performance.now() - t0, programs: sample.length, tally };
}

async function service(address: string, w: Workload): Promise<{ ms: number; tally: Tally; summary: BatchSummary }> {
  const tally: Tally = {};
  const body = {
    problem: { language: w.programs[0]!.language, ...(w.tests.length > 0 ? { tests: w.tests } : {}) },
    // A run-unique comment keeps the result cache out of the measurement.
    items: w.programs.map((p) => ({
      id: p.id,
      source: `${p.source}\n${p.language === 'cpp' ? '//' : '#'} ${process.pid}-${Math.random()}\n`,
      ...(p.testCode ? { testCode: p.testCode } : {}),
    })),
    cache: false,
  };
  const t0 = performance.now();
  const res = await request(`${address}/v1/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), bodyTimeout: 0, headersTimeout: 0 });
  const text = await res.body.text();
  const ms = performance.now() - t0;
  if (res.statusCode !== 200) throw new Error(`batch answered ${res.statusCode}: ${text.slice(0, 500)}`);
  const lines = text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as BatchLine | BatchSummary);
  for (const l of lines) if (l.type === 'item') bump(tally, l.status === 'ok' ? l.result.verdict : l.status);
  return { ms, tally, summary: lines.at(-1) as BatchSummary };
}

/**
 * One program per request, `width` clients at once: /v1/submissions with the workload's test code
 * or tests, or /run_code with the body verl's sandbox_fusion client sends (a program without
 * tests, judged by its exit status: "Success").
 */
async function perRequest(address: string, w: Workload, width: number, route: 'submissions' | 'run_code'): Promise<{ ms: number; tally: Tally }> {
  const tally: Tally = {};
  const t0 = performance.now();
  await pool(width, w.programs, async (p) => {
    const source = `${p.source}\n# ${process.pid}-${Math.random()}\n`;
    const body =
      route === 'submissions'
        ? { language: p.language, source, ...(p.testCode ? { testCode: p.testCode } : {}), ...(w.tests.length > 0 ? { tests: w.tests } : {}), cache: false }
        : { code: source, language: p.language, compile_timeout: 10, run_timeout: 10, memory_limit_MB: 1024, stdin: '', files: {}, fetch_files: [] };
    const res = await request(`${address}/${route === 'submissions' ? 'v1/submissions' : 'run_code'}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const answer = (await res.body.json()) as { verdict?: string; status?: string };
    if (res.statusCode !== 200) return void bump(tally, `http ${res.statusCode}`);
    bump(tally, route === 'submissions' ? answer.verdict! : answer.status === 'Success' ? 'accepted' : 'rejected');
  });
  return { ms: performance.now() - t0, tally };
}

/** Containers the service has started so far (its own counter). */
async function containersStarted(address: string): Promise<number> {
  const text = await (await request(`${address}/metrics`)).body.text();
  return Number(/^verdict_containers_started_total (\d+)/m.exec(text)?.[1] ?? NaN);
}

// ---------- main ----------

const instanceId = `bench-tp-${process.pid}`;
const config = parseConfig({ LOG_LEVEL: 'warn' }, { cpuCount: os.availableParallelism(), randomId: instanceId });
const width = config.concurrency;
const dir = mkdtempSync(path.join(os.tmpdir(), 'verdict-bench-'));
const engine = new DockerEngine({});
const app = await buildApp({ config, engine });
const address = await app.listen({ host: '127.0.0.1', port: 0 });

const paired = w1();
const only = process.argv[3];
const workloads = [paired, w1OneProcess(paired), w2('python'), w2('cpp')].filter((w) => !only || w.name.startsWith(only));
const serviceRates = new Map<string, number>();
const rows: string[] = [];
const containerRows: string[] = [];
const pad = (s: string, n: number) => s.padEnd(n);
const rate = (n: number, ms: number) => (n / (ms / 1000)).toFixed(1);
try {
  // Warm-up: images in the page cache, the interpreter's files, g++'s headers.
  const cpp = w2('cpp');
  await service(address, { name: 'warm-up', programs: cpp.programs.slice(0, 4), tests: cpp.tests.slice(0, 2) });
  await service(address, { name: 'warm-up', programs: paired.programs.slice(0, 8), tests: [] });
  for (const w of workloads) {
    const tests = Math.max(1, w.tests.length);
    const b = await bare(w, width, dir);
    const s = await service(address, w);
    const n = await naive(w, width, dir);
    const bareRate = w.programs.length / b.ms;
    const serviceRate = w.programs.length / s.ms;
    const naiveRate = n.programs / n.ms;
    serviceRates.set(w.name, serviceRate);
    rows.push(
      `${pad(w.name, 38)} ${pad(`${w.programs.length}×${tests}`, 8)}` +
        ` ${rate(w.programs.length, s.ms).padStart(8)} ${rate(w.programs.length, b.ms).padStart(8)} ${rate(n.programs, n.ms).padStart(8)}` +
        ` ${(serviceRate / bareRate).toFixed(2).padStart(9)} ${(serviceRate / naiveRate).toFixed(1).padStart(10)}`,
    );
    console.log(`${w.name}: service ${JSON.stringify(s.tally)} | bare ${JSON.stringify(b.tally)} | naive (first ${n.programs}) ${JSON.stringify(n.tally)}`);
    // One program per request: W1 with its test code through /v1/submissions; W1 in one process
    // through /v1/submissions and through /run_code with verl's body.
    const routes: Array<'submissions' | 'run_code'> = w === paired ? ['submissions'] : w.name === 'W1 one process' ? ['submissions', 'run_code'] : [];
    for (const route of routes) {
      const before = await containersStarted(address);
      const r = await perRequest(address, w, width, route);
      const started = (await containersStarted(address)) - before;
      const label = `${w === paired ? 'W1' : 'W1 one process'}, per request ${route === 'run_code' ? '/run_code' : '/v1/subm.'}`;
      rows.push(
        `${pad(label, 38)} ${pad(`${w.programs.length}×${tests}`, 8)}` +
          ` ${rate(w.programs.length, r.ms).padStart(8)} ${rate(w.programs.length, b.ms).padStart(8)} ${rate(n.programs, n.ms).padStart(8)}` +
          ` ${(w.programs.length / r.ms / bareRate).toFixed(2).padStart(9)} ${(w.programs.length / r.ms / naiveRate).toFixed(1).padStart(10)}`,
      );
      containerRows.push(`${label}: ${Number.isNaN(started) ? '?' : ((started / w.programs.length) * 1000).toFixed(0)} containers started per 1,000 programs`);
      console.log(`${label}: ${JSON.stringify(r.tally)}`);
    }
  }
} finally {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
}

console.log(`\nprograms per second, width ${width} (the service's concurrency) on ${os.availableParallelism()} CPUs; naive on the first ${naiveSample} programs`);
console.log(`${pad('workload', 38)} ${pad('size', 8)} ${'service'.padStart(8)} ${'bare'.padStart(8)} ${'naive'.padStart(8)} ${'svc/bare'.padStart(9)} ${'svc/naive'.padStart(10)}`);
for (const r of rows) console.log(r);
for (const r of containerRows) console.log(r);
const before = serviceRates.get('W1 one process');
const after = serviceRates.get(paired.name);
if (before && after) console.log(`\nW1 with the test code in a trusted process beside the program, over W1 in one process: ${(after / before).toFixed(2)}`);
const left = await engine.countManaged({ [LABEL_INSTANCE]: instanceId });
console.log(`\nsandbox containers left behind: ${left}`);
