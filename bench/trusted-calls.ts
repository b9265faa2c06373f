/**
 * What a call across the boundary between Python test code and the program costs (the test code
 * runs in a trusted process beside the program; every call crosses two pipes): test code making
 * N calls, for N = 0 and larger, through the service, the per-call cost read off the slope, next
 * to a bare Python start-up on this host. Prints a table; asserts nothing.
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
const python = process.env.BARE_PYTHON ?? '/usr/bin/python3';
const source = 'def add(a, b):\n    return a + b\n\ndef total(xs):\n    return sum(xs)\n';
const CALLS = [0, 1000, 10000];

const config = parseConfig({ LOG_LEVEL: 'warn' }, { cpuCount: os.availableParallelism(), randomId: `bench-trusted-${process.pid}` });
const app = await buildApp({ config, engine: new DockerEngine({}) });
await app.ready();

/** The test's own wall time (both processes, start-up included), median of the repeats. */
async function testWallMs(testCode: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const res = await app.inject({ method: 'POST', url: '/v1/submissions', payload: { language: 'python', source, testCode, cache: false } });
    const body = res.json<SubmissionResult>();
    if (body.verdict !== 'accepted') throw new Error(`not accepted: ${res.body.slice(0, 500)}`);
    times.push(body.tests[0]!.wallTimeMs);
  }
  return percentile(times, 50);
}

try {
  const rows: Array<[string, string]> = [];
  const base = await testWallMs('assert add(1, 2) == 3\n');
  rows.push(['1 call (start-up of both processes)', `${base.toFixed(1)} ms`]);
  for (const [label, body] of [
    ['int arguments', 'assert add(i, 1) == i + 1'],
    ['a 100-int list', 'assert total(xs) == 4950'],
  ] as const) {
    const measured: Array<[number, number]> = [];
    for (const n of CALLS) measured.push([n, await testWallMs(`xs = list(range(100))\nfor i in range(${n}):\n    ${body}\n`)]);
    const [n0, t0] = measured[0]!;
    const [n1, t1] = measured[measured.length - 1]!;
    const perCallUs = ((t1 - t0) / (n1 - n0)) * 1000;
    rows.push([`per call, ${label}`, `${perCallUs.toFixed(1)} µs (${measured.map(([n, t]) => `${n}: ${t.toFixed(0)} ms`).join(', ')})`]);
  }
  const bare: number[] = [];
  for (let i = 0; i < repeats * 2; i++) {
    const started = performance.now();
    spawnSync(python, ['-c', 'pass']);
    bare.push(performance.now() - started);
  }
  const startup = percentile(bare, 50);
  rows.push([`bare ${python} start-up on this host`, `${startup.toFixed(1)} ms`]);
  for (const [k, v] of rows) console.log(`${k.padEnd(40)} ${v}`);
} finally {
  await app.close();
}
