/** POST /run_code, SandboxFusion's API, on real Docker. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { until } from '../helpers/wait.js';

interface CommandRunResult {
  status: 'Finished' | 'Error' | 'TimeLimitExceeded';
  execution_time: number | null;
  return_code: number | null;
  stdout: string | null;
  stderr: string | null;
}
interface RunCodeResponse {
  status: 'Success' | 'Failed' | 'SandboxError';
  message: string;
  compile_result: CommandRunResult | null;
  run_result: CommandRunResult | null;
  files: Record<string, string>;
}

const nonce = () => `# ${randomUUID()}`;

async function runCode(t: TestApp, body: Record<string, unknown>) {
  return t.app.inject({ method: 'POST', url: '/run_code', payload: body });
}

async function ok(t: TestApp, body: Record<string, unknown>): Promise<RunCodeResponse> {
  const res = await runCode(t, body);
  assert.equal(res.statusCode, 200, res.body);
  return res.json<RunCodeResponse>();
}

describe('POST /run_code (SandboxFusion)', async () => {
  const t = await startTestApp({ VERDICT_CONCURRENCY: '2' });

  it('runs a Python program: Success with the run result', async () => {
    const res = await ok(t, { code: `print("hello") ${nonce()}`, language: 'python', compile_timeout: 10, run_timeout: 10, stdin: '', files: {}, fetch_files: [] });
    assert.equal(res.status, 'Success');
    assert.equal(res.message, '');
    assert.equal(res.compile_result, null);
    assert.deepEqual(res.files, {});
    const run = res.run_result!;
    assert.equal(run.status, 'Finished');
    assert.equal(run.return_code, 0);
    assert.equal(run.stdout, 'hello\n');
    assert.equal(run.stderr, '');
    assert.equal(typeof run.execution_time, 'number');
    assert.ok(run.execution_time! > 0 && run.execution_time! < 10, `execution_time ${run.execution_time}`);
  });

  it('passes stdin to the program', async () => {
    const res = await ok(t, { code: `import sys\nsys.stdout.write(sys.stdin.read().upper()) ${nonce()}`, language: 'python', stdin: 'echo me\n' });
    assert.equal(res.status, 'Success');
    assert.equal(res.run_result!.stdout, 'ECHO ME\n');
  });

  it('a runtime error is Failed, with the exit status and stderr', async () => {
    const res = await ok(t, { code: `import sys\nprint("before")\nsys.stderr.write("bad\\n")\nsys.exit(3) ${nonce()}`, language: 'python' });
    assert.equal(res.status, 'Failed');
    assert.equal(res.run_result!.status, 'Finished');
    assert.equal(res.run_result!.return_code, 3);
    assert.equal(res.run_result!.stdout, 'before\n');
    assert.match(res.run_result!.stderr!, /bad/);
    const raised = await ok(t, { code: `raise ValueError("boom") ${nonce()}`, language: 'python' });
    assert.equal(raised.status, 'Failed');
    assert.equal(raised.run_result!.return_code, 1);
    assert.match(raised.run_result!.stderr!, /ValueError: boom/);
  });

  it('a Python syntax error is a failed run, as SandboxFusion has no compile step for Python', async () => {
    const res = await ok(t, { code: `def f(:\n    pass ${nonce()}`, language: 'python' });
    assert.equal(res.status, 'Failed');
    assert.equal(res.compile_result, null);
    assert.equal(res.run_result!.status, 'Finished');
    assert.notEqual(res.run_result!.return_code, 0);
    assert.match(res.run_result!.stderr!, /SyntaxError/);
  });

  it('run_timeout cuts the run: TimeLimitExceeded, Failed', async () => {
    const res = await ok(t, { code: `import time\ntime.sleep(30) ${nonce()}`, language: 'python', run_timeout: 0.5 });
    assert.equal(res.status, 'Failed');
    assert.equal(res.run_result!.status, 'TimeLimitExceeded');
    assert.equal(res.run_result!.return_code, null);
    assert.ok(res.run_result!.execution_time! < 5, `execution_time ${res.run_result!.execution_time}`);
  });

  it('compiles C++: a compile error is Failed with the compiler output and no run', async () => {
    const bad = await ok(t, { code: `int main() { return undefined_name; } // ${randomUUID()}`, language: 'cpp' });
    assert.equal(bad.status, 'Failed');
    assert.equal(bad.run_result, null);
    const compile = bad.compile_result!;
    assert.equal(compile.status, 'Finished');
    assert.notEqual(compile.return_code, 0);
    assert.match(compile.stderr!, /undefined_name/);

    const good = await ok(t, { code: `#include <iostream>\nint main(){int a,b;std::cin>>a>>b;std::cout<<a*b<<"\\n";} // ${randomUUID()}`, language: 'cpp', stdin: '6 7\n' });
    assert.equal(good.status, 'Success', JSON.stringify(good));
    assert.equal(good.compile_result!.status, 'Finished');
    assert.equal(good.compile_result!.return_code, 0);
    assert.equal(good.run_result!.stdout, '42\n');
  });

  it('writes the base64 files beside the program', async () => {
    const res = await ok(t, {
      code: `print(open("data/input.txt").read().strip()[::-1]) ${nonce()}`,
      language: 'python',
      files: { 'data/input.txt': Buffer.from('abc\n').toString('base64'), 'skipped.txt': null },
      fetch_files: ['data/input.txt'],
    });
    assert.equal(res.status, 'Success', JSON.stringify(res));
    assert.equal(res.run_result!.stdout, 'cba\n');
    // Verdict does not read files out of its sandboxes.
    assert.deepEqual(res.files, {});
  });

  it("queues verl's burst of concurrent requests rather than refusing any", async () => {
    // verl sends 32 or more at once and scores anything but a 200 as a failed program, except a
    // 504, which it retries: the queue takes the whole burst (no 429), and only a request whose
    // expected wait plus run_timeout would pass its client's deadline is a 504 (on a slow machine
    // the last of the burst can be), with Retry-After.
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => runCode(t, { code: `print(${i}) ${nonce()}`, language: 'python', run_timeout: 10 })),
    );
    const statuses = answers.map((a) => a.statusCode);
    assert.ok(statuses.every((s) => s === 200 || s === 504), `statuses: ${statuses.join(' ')}`);
    for (const a of answers.filter((a) => a.statusCode === 504)) assert.ok(Number(a.headers['retry-after']) >= 1, a.body);
    // Two slots: the first two start at once, with no wait to refuse them for.
    assert.ok(statuses.filter((s) => s === 200).length >= 2, `statuses: ${statuses.join(' ')}`);
    answers.forEach((a, i) => {
      if (a.statusCode === 200) assert.equal(a.json<RunCodeResponse>().run_result?.stdout, `${i}\n`);
    });
  });

  it('accepts SandboxFusion language names: nodejs', async () => {
    const res = await ok(t, { code: `console.log([1, 2, 3].map((x) => x * 2).join(",")); // ${randomUUID()}`, language: 'nodejs' });
    assert.equal(res.status, 'Success', JSON.stringify(res));
    assert.equal(res.run_result!.stdout, '2,4,6\n');
  });

  it('an unknown language or a malformed request is 422 with FastAPI\'s detail list', async () => {
    const unknown = await runCode(t, { code: 'print(1)', language: 'cobol' });
    assert.equal(unknown.statusCode, 422, unknown.body);
    const detail = unknown.json<{ detail: Array<{ type: string; loc: unknown[]; msg: string }> }>().detail;
    assert.equal(detail.length, 1);
    assert.deepEqual(detail[0]!.loc, ['body', 'language']);
    assert.match(detail[0]!.msg, /'python'/);

    const missing = await runCode(t, { language: 'python' });
    assert.equal(missing.statusCode, 422, missing.body);
    assert.ok(Array.isArray(missing.json<{ detail: unknown[] }>().detail));

    const badPath = await runCode(t, { code: 'print(1)', language: 'python', files: { '../etc/x': 'YQ==' } });
    assert.equal(badPath.statusCode, 422, badPath.body);
    assert.deepEqual(badPath.json<{ detail: Array<{ loc: unknown[] }> }>().detail[0]!.loc, ['body', 'files', '../etc/x']);
  });
});

describe('POST /run_code under overload', async () => {
  const t = await startTestApp({ VERDICT_CONCURRENCY: '1', VERDICT_QUEUE_LIMIT: '2', VERDICT_POOL_MAX_IDLE: '0' });
  const sleeper = (n: number) => `import time\ntime.sleep(1) # ${n} ${randomUUID()}\n`;

  it('queues what fits and answers 504 with Retry-After beyond, so verl-style clients retry', async () => {
    const first = runCode(t, { code: sleeper(1), language: 'python' });
    await until('the first run holds the slot', () => t.app.judge.stats().running === 1, { intervalMs: 20 });
    const queued = [runCode(t, { code: sleeper(2), language: 'python' }), runCode(t, { code: sleeper(3), language: 'python' })];
    await until('the queue is full', () => t.app.judge.stats().queued === 2, { intervalMs: 20 });

    const refused = await runCode(t, { code: sleeper(4), language: 'python' });
    assert.equal(refused.statusCode, 504, refused.body);
    const retryAfter = Number(refused.headers['retry-after']);
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    const body = refused.json<RunCodeResponse>();
    assert.equal(body.status, 'SandboxError');
    assert.match(body.message, /VERDICT_QUEUE_FULL/);

    for (const res of await Promise.all([first, ...queued])) {
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json<RunCodeResponse>().status, 'Success');
    }
  });
});
