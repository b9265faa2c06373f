/**
 * What a call across the boundary between test code and the program costs (Python's and
 * JavaScript's test code runs in a trusted process beside the program; every call crosses two
 * pipes): test code making N calls, for N = 0 and larger, through the service, the per-call cost
 * read off the slope, next to a bare start-up of the runtime on this host. Prints a table;
 * asserts nothing.
 * Usage: node --import tsx bench/trusted-calls.ts [repeats=5]
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { buildApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { DockerEngine } from '../src/sandbox/docker-engine.js';
import type { SubmissionResult } from '../src/schemas.js';
import { percentile } from './percentile.js';

const repeats = Number(process.argv[2] ?? 5);
const CALLS = [0, 1000, 10000];

interface Runtime {
  language: 'python' | 'javascript';
  bare: string[];
  source: string;
  oneCall: string;
  /** Test code making `n` calls of `body` (a check using `add` or `total` on `xs`, 100 ints). */
  loop(n: number, body: string): string;
  bodies: Array<[label: string, body: string]>;
}

const runtimes: Runtime[] = [
  {
    language: 'python',
    bare: [process.env.BARE_PYTHON ?? '/usr/bin/python3', '-c', 'pass'],
    source: 'def add(a, b):\n    return a + b\n\ndef total(xs):\n    return sum(xs)\n',
    oneCall: 'assert add(1, 2) == 3\n',
    loop: (n, body) => `xs = list(range(100))\nfor i in range(${n}):\n    ${body}\n`,
    bodies: [
      ['int arguments', 'assert add(i, 1) == i + 1'],
      ['a 100-int list', 'assert total(xs) == 4950'],
    ],
  },
  {
    language: 'javascript',
    bare: [process.execPath, '-e', '0'],
    source: 'function add(a, b) {\n  return a + b;\n}\nfunction total(xs) {\n  return xs.reduce((s, x) => s + x, 0);\n}\n',
    oneCall: 'console.assert(add(1, 2) === 3)\n',
    loop: (n, body) => `const xs = Array.from({ length: 100 }, (_, i) => i);\nfor (let i = 0; i < ${n}; i++) {\n  ${body}\n}\n`,
    bodies: [
      ['int arguments', 'console.assert(add(i, 1) === i + 1)'],
      ['a 100-int list', 'console.assert(total(xs) === 4950)'],
    ],
  },
];

const config = parseConfig({ LOG_LEVEL: 'warn' }, { cpuCount: os.availableParallelism(), randomId: `bench-trusted-${process.pid}` });
const app = await buildApp({ config, engine: new DockerEngine({}) });
await app.ready();

/** The test's own wall time (both processes, start-up included), median of the repeats. */
async function testWallMs(r: Runtime, testCode: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const res = await app.inject({ method: 'POST', url: '/v1/submissions', payload: { language: r.language, source: r.source, testCode, cache: false } });
    const body = res.json<SubmissionResult>();
    if (body.verdict !== 'accepted') throw new Error(`not accepted: ${res.body.slice(0, 500)}`);
    times.push(body.tests[0]!.wallTimeMs);
  }
  return percentile(times, 50);
}

try {
  const rows: Array<[string, string]> = [];
  for (const r of runtimes) {
    const base = await testWallMs(r, r.oneCall);
    rows.push([`${r.language}: 1 call (start-up of both processes)`, `${base.toFixed(1)} ms`]);
    for (const [label, body] of r.bodies) {
      const measured: Array<[number, number]> = [];
      for (const n of CALLS) measured.push([n, await testWallMs(r, r.loop(n, body))]);
      const [n0, t0] = measured[0]!;
      const [n1, t1] = measured[measured.length - 1]!;
      const perCallUs = ((t1 - t0) / (n1 - n0)) * 1000;
      rows.push([`${r.language}: per call, ${label}`, `${perCallUs.toFixed(1)} µs (${measured.map(([n, t]) => `${n}: ${t.toFixed(0)} ms`).join(', ')})`]);
    }
    const bare: number[] = [];
    for (let i = 0; i < repeats * 2; i++) {
      const started = performance.now();
      spawnSync(r.bare[0]!, r.bare.slice(1));
      bare.push(performance.now() - started);
    }
    rows.push([`${r.language}: bare ${r.bare.join(' ')} on this host`, `${percentile(bare, 50).toFixed(1)} ms`]);
  }
  for (const [k, v] of rows) console.log(`${k.padEnd(52)} ${v}`);
} finally {
  await app.close();
}
