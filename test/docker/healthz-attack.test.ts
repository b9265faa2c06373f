/**
 * Pathological candidate output, stderr, sources and completions at full size, judged on real
 * Docker while a worker thread asks /healthz every 20 ms over a real socket: every answer must
 * come within 100 ms, so nothing the candidate chose stalls the event loop. The server runs in
 * this process (startTestApp); the probe's own loop is the worker's, so a blocked server loop
 * shows as a slow answer, not as a late probe. The attacks go over a real socket too, their
 * bodies serialized before the window and their answers parsed after it: what the test's client
 * does is not the service's work. Each attack prints the slowest /healthz it saw.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { RewardLine, SubmissionResult } from '../../src/schemas.js';
import { startTestApp } from '../helpers/app.js';

const MiB = 1024 * 1024;
const HEALTHZ_BOUND_MS = 100;
const PROBE_INTERVAL_MS = 20;
/** 16 MiB of output for stdout plus stderr is the schema's maximum; the program's own lines and the traceback fit in the rest. */
const BIG_OUTPUT_LIMITS = { outputBytes: 16 * MiB };
const BIG_BYTES = 16 * MiB - 64 * 1024;

/** Runs in the worker: probes one after another, each timed from request to the end of the answer. */
const PROBE_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
let window = undefined;
let stopping = false;
const once = () => new Promise((resolve, reject) => {
  const started = performance.now();
  http.get(workerData.url, { agent }, (res) => {
    res.resume();
    res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error('status ' + res.statusCode))));
  }).on('error', reject);
});
parentPort.on('message', (message) => {
  if (message === 'begin') window = { maxMs: 0, probes: 0, failures: [] };
  else if (message === 'end') { const w = window; window = undefined; parentPort.postMessage(w); }
  else if (message === 'stop') stopping = true;
});
(async () => {
  while (!stopping) {
    // A probe that started inside a window counts there even if the window closed meanwhile.
    const w = window;
    try {
      const ms = await once();
      if (w) { w.probes++; w.maxMs = Math.max(w.maxMs, ms); }
    } catch (err) {
      if (w) w.failures.push(String(err));
    }
    await new Promise((resolve) => setTimeout(resolve, workerData.intervalMs));
  }
  agent.destroy();
  parentPort.close();
})();
`;

interface Window {
  maxMs: number;
  probes: number;
  failures: string[];
}

function startProbe(url: string) {
  const worker = new Worker(PROBE_SOURCE, { eval: true, workerData: { url, intervalMs: PROBE_INTERVAL_MS } });
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  return {
    async during<T>(work: () => Promise<T>): Promise<{ value: T; window: Window }> {
      worker.postMessage('begin');
      const value = await work();
      // One more probe after the work answered: what it left behind (freeing 16 MiB buffers) counts too.
      await new Promise((resolve) => setTimeout(resolve, 3 * PROBE_INTERVAL_MS));
      const window = new Promise<Window>((resolve) => worker.once('message', resolve));
      worker.postMessage('end');
      return { value, window: await window };
    },
    async stop() {
      worker.postMessage('stop');
      await exited;
    },
  };
}

describe('/healthz stays fast while pathological input is judged', { timeout: 600_000 }, async () => {
  const t = await startTestApp({ VERDICT_CONCURRENCY: '2' });
  const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
  const probe = startProbe(`${address}/healthz`);
  after(() => probe.stop());

  /** POSTs `body` under the probe, prints the slowest /healthz, asserts the bound, then parses the answer. */
  async function attack<T>(ctx: { name: string; diagnostic(message: string): void }, url: string, body: Record<string, unknown>): Promise<T> {
    const text = JSON.stringify(body);
    // The server loop's own longest stall, printed beside /healthz: it tells a blocked loop from a busy machine.
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const started = performance.now();
    const { value: answer, window } = await probe.during(async () => {
      const res = await fetch(`${address}${url}`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: text });
      return { status: res.status, text: await res.text() };
    });
    loop.disable();
    const line = `healthz under "${ctx.name}": max ${window.maxMs.toFixed(1)} ms over ${window.probes} probes (longest event-loop stall ${(loop.max / 1e6).toFixed(1)} ms), attack took ${(performance.now() - started).toFixed(0)} ms`;
    console.log(line);
    ctx.diagnostic(line);
    assert.deepEqual(window.failures, []);
    assert.ok(window.probes >= 3, `the probe ran during the attack: ${window.probes} probes`);
    assert.ok(window.maxMs <= HEALTHZ_BOUND_MS, line);
    assert.equal(answer.status, 200, answer.text.slice(0, 1000));
    return JSON.parse(answer.text) as T;
  }

  const submit = (ctx: Parameters<typeof attack>[0], body: Record<string, unknown>) => attack<SubmissionResult>(ctx, '/v1/submissions', { cache: false, ...body });

  it('lines checker: a line of a million spaces between two letters', async (ctx) => {
    const result = await submit(ctx, { language: 'python', source: "print('x' + ' ' * 1_000_000 + 'x')\n", tests: [{ expectedStdout: 'x x\n' }], checker: 'lines' });
    assert.equal(result.verdict, 'wrong_answer');
  });

  it('float checker: a million digits ending in a letter', async (ctx) => {
    const result = await submit(ctx, { language: 'python', source: "print('1' * 1_000_000 + 'a')\n", tests: [{ expectedStdout: '1\n' }], checker: { mode: 'float' } });
    assert.equal(result.verdict, 'wrong_answer');
  });

  // The expected output equals the first token or line: each checker must read all 16 MiB to count the rest.
  const count = BIG_BYTES / 2;
  const floods = [
    { mode: 'tokens', source: `import sys\nsys.stdout.write('1 ' * ${count})\n`, expected: '1\n', message: `expected 1 tokens, got ${count}` },
    { mode: 'float', source: `import sys\nsys.stdout.write('1\\t' * ${count})\n`, expected: '1.0\n', message: `expected 1 tokens, got ${count}` },
    { mode: 'lines', source: `import sys\nsys.stdout.write('1\\n' * ${count})\n`, expected: '1\n', message: `expected 1 lines, got ${count}` },
  ] as const;
  for (const { mode, source, expected, message } of floods) {
    it(`${mode} checker: 16 MiB of one-byte ${mode === 'lines' ? 'lines' : 'tokens'}`, async (ctx) => {
      const result = await submit(ctx, { language: 'python', source, tests: [{ expectedStdout: expected }], checker: { mode }, limits: BIG_OUTPUT_LIMITS });
      assert.equal(result.verdict, 'wrong_answer');
      assert.equal(result.tests[0]!.checkerMessage, message);
    });
  }

  const stderrFloods: Record<string, string> = {
    python: `import sys\nsys.stderr.write('\\n' * ${BIG_BYTES})\nraise ValueError('bad')\n`,
    javascript: `process.stderr.write('\\n'.repeat(${BIG_BYTES}));\nthrow new Error('bad');\n`,
    rust: `fn main() {\n    eprint!("{}", "\\n".repeat(${BIG_BYTES}));\n    panic!("bad");\n}\n`,
    go: `package main\n\nimport (\n\t"os"\n\t"strings"\n)\n\nfunc main() {\n\tos.Stderr.WriteString(strings.Repeat("\\n", ${BIG_BYTES}))\n\tpanic("bad")\n}\n`,
    java: `public class Main {\n    public static void main(String[] args) {\n        System.err.print("\\n".repeat(${BIG_BYTES}));\n        System.err.flush();\n        throw new IllegalStateException("bad");\n    }\n}\n`,
  };
  for (const [language, source] of Object.entries(stderrFloods)) {
    it(`failure location: ${language}, 16 MiB of newlines on stderr, then an error`, async (ctx) => {
      const result = await submit(ctx, { language, source, tests: [{ expectedStdout: '' }], limits: BIG_OUTPUT_LIMITS });
      assert.equal(result.verdict, 'runtime_error', JSON.stringify(result.tests[0]?.stderr.slice(-300)));
    });
  }

  // Inside a template literal the lines are text, so the program is a script that prints their length.
  const esLine = `import a${' '.repeat(MiB)}!\n`;
  const esSource = `const text = \`\n${esLine.repeat(4)}\`;\nconsole.log(text.length);\n`;
  const esExpected = `${1 + 4 * esLine.length}\n`;

  it('ES-module detection: lines `import a<1 MiB of spaces>!` in a JavaScript source', async (ctx) => {
    const result = await submit(ctx, { language: 'javascript', source: esSource, tests: [{ expectedStdout: esExpected }] });
    assert.equal(result.verdict, 'accepted', result.tests[0]?.stderr);
  });

  it('ES-module detection: the same source as a /v1/reward completion', async (ctx) => {
    const completion = `Here it is:\n\`\`\`javascript\n${esSource}\`\`\`\n`;
    const answer = await attack<{ items: RewardLine[] }>(ctx, '/v1/reward', {
      items: [{ id: 'esm', completion, language: 'javascript', tests: [{ expectedStdout: esExpected }] }],
      cache: false,
    });
    const line = answer.items[0]!;
    assert.equal(line.status, 'ok');
    assert.equal('reward' in line ? line.reward : undefined, 1);
  });

  it('Go source checks: a million blank lines', async (ctx) => {
    const source = `package main\n${'\n'.repeat(MiB)}import "fmt"\n\nfunc main() {\n\tfmt.Println(42)\n}\n`;
    const result = await submit(ctx, { language: 'go', source, tests: [{ expectedStdout: '42\n' }] });
    assert.equal(result.verdict, 'accepted', result.compile?.output);
  });
});
