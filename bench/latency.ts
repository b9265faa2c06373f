/**
 * One small Python submission, end to end through HTTP, next to the same
 * program as a plain process on this host: with a warm pool (the steady
 * state of a service under light load: each request's sandbox recycled for the next) and without
 * one (a container started per submission). Prints p50 and p99; asserts nothing.
 * Usage: node --import tsx bench/latency.ts [runs]
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { request } from 'undici';
import { buildApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { DockerEngine } from '../src/sandbox/docker-engine.js';
import { percentile } from './percentile.js';

const runs = Number(process.argv[2] ?? 100);
const source = 'a, b = map(int, input().split())\nprint(a + b)\n';

// Debian's interpreter, as in the sandbox image; not a version-manager shim, whose start-up is a shell script.
const python = process.env.BARE_PYTHON ?? '/usr/bin/python3';
const bare: number[] = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const r = spawnSync(python, ['-c', source], { input: '2 3\n' });
  bare.push(performance.now() - t0);
  if (r.stdout.toString() !== '5\n') throw new Error('bare run failed');
}

async function service(env: Record<string, string>): Promise<number[]> {
  const config = parseConfig({ LOG_LEVEL: 'warn', ...env }, { cpuCount: os.availableParallelism(), randomId: `bench-latency-${process.pid}` });
  const app = await buildApp({ config, engine: new DockerEngine({}) });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const times: number[] = [];
  try {
    for (let i = 0; i < runs + 3; i++) {
      // One submission at a time, each after the last one's sandbox is back in the pool (reset) or
      // gone and replaced: the latency of a request on an idle service, not of the queue behind it.
      await app.judge.settle();
      const t0 = performance.now();
      const res = await request(`${address}/v1/submissions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ language: 'python', source, tests: [{ stdin: '2 3\n', expectedStdout: '5\n' }], cache: false }),
      });
      const body = (await res.body.json()) as { verdict: string };
      if (body.verdict !== 'accepted') throw new Error(`unexpected verdict ${body.verdict}`);
      // The first few warm up the engine's and Node's caches, and teach the pool the demand.
      if (i >= 3) times.push(performance.now() - t0);
    }
  } finally {
    await app.close();
  }
  return times;
}

const warm = await service({});
const cold = await service({ VERDICT_POOL_MAX_IDLE: '0' });

// The warm pool now holds the sandbox the previous request used, reset: recycling across requests.
const row = (name: string, v: number[]) => `${name.padEnd(34)} p50 ${percentile(v, 50).toFixed(1).padStart(7)} ms   p99 ${percentile(v, 99).toFixed(1).padStart(7)} ms`;
console.log(`one-test Python submission, ${runs} runs, sequential`);
console.log(row('bare python3 process', bare));
console.log(row('Verdict, warm pool', warm));
console.log(row('Verdict, no pool (container each)', cold));
console.log(`warm pool overhead at p50: ${(percentile(warm, 50) - percentile(bare, 50)).toFixed(1)} ms (target ≤ 15 ms); at p99: ${(percentile(warm, 99) - percentile(bare, 99)).toFixed(1)} ms`);
