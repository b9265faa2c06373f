/**
 * The raw-execution drop-ins (/run_code, /api/v2/execute) on real Docker: their clients
 * (verl, open-r1) compare stdout themselves, so it comes back whole up to the server's
 * output limit, a cut or limited output is said in the fields they read, and every call
 * runs the program.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startTestApp } from '../helpers/app.js';

const MiB = 1024 * 1024;
/** A small server maximum keeps the over-the-limit case fast; 1.3 MB still fits under it. */
const MAX_OUTPUT_BYTES = 2 * MiB;

/** A program printing `bytes` bytes of stdout: lines of 99 digits and a newline. */
const printer = (bytes: number) => `import sys\nsys.stdout.write(("7" * 99 + "\\n") * ${bytes / 100})\n`;
const expected = (bytes: number) => ('7'.repeat(99) + '\n').repeat(bytes / 100);

interface RunCodeResponse {
  status: string;
  message: string;
  run_result: { status: string; return_code: number | null; stdout: string | null } | null;
}
interface PistonStage {
  stdout: string;
  code: number | null;
  signal: string | null;
  status: string | null;
  message: string | null;
}

describe('drop-in APIs: whole output, limits said, no cache', async () => {
  const t = await startTestApp({ VERDICT_CONCURRENCY: '2', VERDICT_MAX_OUTPUT_BYTES: String(MAX_OUTPUT_BYTES) });

  async function runCode(code: string): Promise<RunCodeResponse> {
    const res = await t.app.inject({ method: 'POST', url: '/run_code', payload: { code, language: 'python', compile_timeout: 10, run_timeout: 10, memory_limit_MB: 1024 } });
    assert.equal(res.statusCode, 200, res.body.slice(0, 500));
    return res.json<RunCodeResponse>();
  }

  async function piston(content: string): Promise<PistonStage> {
    const res = await t.app.inject({ method: 'POST', url: '/api/v2/execute', payload: { language: 'python', version: '*', files: [{ name: 'main.py', content }] } });
    assert.equal(res.statusCode, 200, res.body.slice(0, 500));
    return res.json<{ run: PistonStage }>().run;
  }

  for (const bytes of [100_000, 1_300_000]) {
    it(`/run_code returns ${bytes} bytes of stdout whole, with Success`, async () => {
      const res = await runCode(printer(bytes));
      assert.equal(res.status, 'Success', res.message);
      assert.equal(res.message, '');
      assert.equal(res.run_result!.return_code, 0);
      assert.equal(res.run_result!.stdout!.length, bytes);
      assert.ok(res.run_result!.stdout === expected(bytes), 'stdout is the program\'s whole output');
    });

    it(`/api/v2/execute returns ${bytes} bytes of stdout whole, with no failure status`, async () => {
      const run = await piston(printer(bytes));
      assert.equal(run.status, null, run.message ?? '');
      assert.equal(run.code, 0);
      assert.equal(run.stdout.length, bytes);
      assert.ok(run.stdout === expected(bytes), 'stdout is the program\'s whole output');
    });
  }

  it('/run_code: output beyond the server maximum is Failed, and the message says the output limit cut it', async () => {
    const res = await runCode(printer(3_000_000));
    assert.equal(res.status, 'Failed');
    assert.equal(res.run_result!.return_code, -9);
    assert.match(res.message, new RegExp(`exceeded ${MAX_OUTPUT_BYTES} bytes, this server's output limit`));
    assert.ok(res.run_result!.stdout!.length <= MAX_OUTPUT_BYTES);
  });

  it('/api/v2/execute: output beyond the server maximum is status OL, killed, as Piston says it', async () => {
    const run = await piston(printer(3_000_000));
    assert.equal(run.status, 'OL');
    assert.equal(run.message, 'stdout length exceeded');
    assert.equal(run.signal, 'SIGKILL');
    assert.equal(run.code, null);
  });

  // Identical calls, one after another and at once: neither the result cache nor a shared run in flight may answer them.
  const chance = 'import random\nprint(random.random())\nprint(random.random())\n';

  it('/run_code runs every call: random.random() differs between calls', async () => {
    const sequential = [await runCode(chance), await runCode(chance)];
    const together = await Promise.all([runCode(chance), runCode(chance)]);
    const outputs = [...sequential, ...together].map((r) => r.run_result!.stdout);
    assert.equal(new Set(outputs).size, outputs.length, `outputs repeat: ${JSON.stringify(outputs)}`);
    for (const out of outputs) {
      const [a, b] = out!.trim().split('\n');
      assert.notEqual(a, b, 'the two lines of one run differ');
    }
  });

  it('/api/v2/execute runs every call: random.random() differs between calls', async () => {
    const sequential = [await piston(chance), await piston(chance)];
    const together = await Promise.all([piston(chance), piston(chance)]);
    const outputs = [...sequential, ...together].map((r) => r.stdout);
    assert.equal(new Set(outputs).size, outputs.length, `outputs repeat: ${JSON.stringify(outputs)}`);
  });
});
