/** SandboxFusion's drop-in, translation only (src/compat/sandboxfusion/translate.ts): request → submission, result → answer. No Docker. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidRunCode } from '../../src/compat/sandboxfusion/schema.js';
import { clientDeadlineMs, runCodeSubmission, toRunCodeResponse } from '../../src/compat/sandboxfusion/translate.js';
import { parseConfig } from '../../src/config.js';
import type { CompileResult, SubmissionResult, TestResult } from '../../src/schemas.js';

const config = parseConfig({ LOG_LEVEL: 'silent' }, { cpuCount: 2, randomId: 'compat-sandboxfusion-test' });
const MiB = 1024 * 1024;
const text = (b: Buffer | undefined) => b?.toString('utf8');

/** What verl's sandbox_fusion client sends (verl/utils/reward_score/sandbox_fusion/utils.py). */
const verl = (over: Record<string, unknown> = {}) => ({ code: 'print(input())', language: 'python', compile_timeout: 1, run_timeout: 2, memory_limit_MB: 512, stdin: '5\n', ...over });

function refusal(fn: () => unknown): Array<{ loc: unknown[]; msg: string }> {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidRunCode) return err.detail;
    throw err;
  }
  assert.fail('expected a 422');
}

describe('SandboxFusion request → submission', () => {
  it("verl's request: one run with its stdin, its limits in milliseconds and bytes, the whole output returned", () => {
    const sub = runCodeSubmission(verl(), config);
    assert.equal(sub.language.id, 'python');
    assert.deepEqual(sub.files.map((f) => [f.path, text(f.content)]), [['main.py', 'print(input())']]);
    assert.equal(sub.tests.length, 1);
    assert.equal(text(sub.tests[0]!.stdin), '5\n');
    assert.equal(sub.tests[0]!.expectedStdout, undefined);
    assert.deepEqual([sub.limits.compileTimeMs, sub.limits.timeMs, sub.limits.wallTimeMs, sub.limits.memoryBytes], [1000, 2000, 2000, 512 * MiB]);
    assert.equal(sub.limits.outputBytes, config.maxLimits.outputBytes);
    assert.equal(sub.returnedOutputBytes, config.maxLimits.outputBytes);
    assert.equal(clientDeadlineMs(verl()), (1 + 2 + 10) * 1000);
  });

  it('defaults: 10 s timeouts, memory -1 the server default, stdin null empty; above the maximum lowered to it', () => {
    const sub = runCodeSubmission({ code: 'x', language: 'python', memory_limit_MB: -1, stdin: null }, config);
    assert.equal(sub.limits.compileTimeMs, Math.min(10_000, config.maxLimits.compileTimeMs));
    assert.equal(sub.limits.memoryBytes, config.defaultLimits.memoryBytes);
    assert.equal(text(sub.tests[0]!.stdin), '');
    assert.equal(clientDeadlineMs({}), 30_000);
    const high = runCodeSubmission({ code: 'x', language: 'python', run_timeout: 1e6, memory_limit_MB: 1e9 }, config).limits;
    assert.equal(high.timeMs, Math.min(config.maxLimits.timeMs, config.maxLimits.wallTimeMs));
    assert.equal(high.memoryBytes, config.maxLimits.memoryBytes);
  });

  it('SandboxFusion names: nodejs is JavaScript; go_test is a Go test file judged with the harness', () => {
    assert.equal(runCodeSubmission({ code: 'console.log(1)', language: 'nodejs' }, config).language.id, 'javascript');
    const go = runCodeSubmission({ code: 'package add_test\n\nimport "testing"\n\nfunc TestA(t *testing.T) {}\n', language: 'go_test' }, config);
    assert.equal(go.entry, 'main_test.go');
    assert.deepEqual(go.files.map((f) => f.path), ['main_test.go', 'zz_verdict_main_test.go']);
    assert.notEqual(go.marker, undefined);
    assert.deepEqual(go.ownCode.files, ['main_test.go']);
  });

  it('an unknown language or a test runner is a 422 on body.language naming the languages run here', () => {
    const [unknown] = refusal(() => runCodeSubmission({ code: 'x', language: 'cobol' }, config));
    assert.deepEqual(unknown!.loc, ['body', 'language']);
    assert.match(unknown!.msg, /^Input should be 'python', 'cpp', /);
    const [pytest] = refusal(() => runCodeSubmission({ code: 'x', language: 'pytest' }, config));
    assert.ok(pytest!.msg.startsWith("'pytest' runs the code"), pytest!.msg);
    assert.deepEqual(refusal(() => runCodeSubmission({ code: 'x', language: 'constructor' }, config))[0]!.loc, ['body', 'language']);
  });

  it('writes the base64 files beside the program as data, skipping null ones', () => {
    const sub = runCodeSubmission(verl({ files: { './data/in.txt': Buffer.from('abc').toString('base64'), 'gone.txt': null } }), config);
    assert.deepEqual(sub.files.map((f) => [f.path, text(f.content)]), [['main.py', 'print(input())'], ['data/in.txt', 'abc']]);
    assert.deepEqual(sub.ownCode.files, ['main.py']);
  });

  it('refuses every bad extra file at once, each on its own path', () => {
    const detail = refusal(() =>
      runCodeSubmission(verl({ files: { '../etc/x': 'YQ==', 'main.py': 'YQ==', 'bad.txt': '@@@', d: 'YQ==', 'd/e': 'YQ==' } }), config),
    );
    assert.deepEqual(
      detail.map((d) => d.loc),
      [
        ['body', 'files', '../etc/x'],
        ['body', 'files', 'main.py'],
        ['body', 'files', 'bad.txt'],
        ['body', 'files', 'd/e'],
      ],
    );
    assert.ok(detail.every((d) => d.msg.startsWith('Value error, ')));
    assert.equal(detail[1]!.msg, "Value error, the path is the program's own file or is given twice");
    assert.equal(detail[2]!.msg, 'Value error, the content is not base64');
    assert.equal(detail[3]!.msg, 'Value error, "d" is both a file and a directory');
    const tooMany = Object.fromEntries(Array.from({ length: config.maxFiles }, (_, i) => [`f${i}`, 'YQ==']));
    const [count] = refusal(() => runCodeSubmission(verl({ files: tooMany }), config));
    assert.deepEqual(count!.loc, ['body', 'files']);
    assert.equal(count!.msg, `Value error, ${config.maxFiles} extra files given, at most ${config.maxFiles - 1} are accepted`);
  });

  it("a go_test program's harness file is taken too", () => {
    const code = 'package add_test\n\nimport "testing"\n\nfunc TestA(t *testing.T) {}\n';
    const [clash] = refusal(() => runCodeSubmission({ code, language: 'go_test', files: { 'zz_verdict_main_test.go': 'YQ==' } }, config));
    assert.deepEqual(clash!.loc, ['body', 'files', 'zz_verdict_main_test.go']);
  });
});

const test = (over: Partial<TestResult>): TestResult => ({
  id: '1',
  verdict: 'accepted',
  exitCode: 0,
  signal: null,
  cpuTimeMs: 10,
  wallTimeMs: 1500,
  peakMemoryBytes: 1000,
  stdout: 'out',
  stdoutTruncated: false,
  stderr: '',
  stderrTruncated: false,
  ...over,
});
const compile = (over: Partial<CompileResult>): CompileResult => ({ status: 'ok', exitCode: 0, signal: null, output: '', outputTruncated: false, cpuTimeMs: 100, wallTimeMs: 250, peakMemoryBytes: 5000, ...over });
const result = (tests: TestResult[], compiled: CompileResult | null = null, verdict = tests[0]?.verdict ?? 'compile_error'): SubmissionResult => ({
  verdict,
  passed: 0,
  total: tests.length,
  compile: compiled,
  tests,
  manifest: {
    language: 'python',
    languageVersion: 'Python 3.11.2',
    image: 'verdict/sandbox-python:x',
    imageId: 'sha256:x',
    limits: { ...config.defaultLimits, outputBytes: 2000, memoryBytes: 3000 },
    checker: { mode: 'exact', absTolerance: 0, relTolerance: 0 },
    supervisorProtocol: 1,
    instanceId: 'i',
  },
  wallTimeMs: 30,
  cache: 'off',
});

describe('Verdict result → SandboxFusion answer', () => {
  it('an accepted run is Success: Finished, return code 0, seconds of wall time, no compile result for Python', () => {
    assert.deepEqual(toRunCodeResponse(result([test({})]), 'python'), {
      status: 'Success',
      message: '',
      compile_result: null,
      run_result: { status: 'Finished', execution_time: 1.5, return_code: 0, stdout: 'out', stderr: '' },
      files: {},
    });
  });

  it('each failing verdict is Failed, with the return code SandboxFusion would report and the limit said', () => {
    const cases: Array<[Partial<TestResult>, string, number | null, RegExp]> = [
      [{ verdict: 'runtime_error', exitCode: 3 }, 'Finished', 3, /^$/],
      [{ verdict: 'runtime_error', exitCode: null, signal: 'SIGSEGV' }, 'Finished', -11, /^$/],
      [{ verdict: 'runtime_error', exitCode: 0 }, 'Finished', -9, /^$/],
      [{ verdict: 'time_limit_exceeded', exitCode: null, signal: 'SIGKILL' }, 'TimeLimitExceeded', null, /^$/],
      [{ verdict: 'memory_limit_exceeded', exitCode: null, signal: 'SIGKILL' }, 'Finished', -9, /^the run exceeded its memory limit of 3000 bytes and was killed$/],
      [{ verdict: 'output_limit_exceeded', exitCode: null, signal: 'SIGKILL', stdoutTruncated: true }, 'Finished', -9, /exceeded 2000 bytes, this server's output limit/],
    ];
    for (const [given, status, code, message] of cases) {
      const answer = toRunCodeResponse(result([test(given)]), 'python');
      assert.equal(answer.status, 'Failed', JSON.stringify(given));
      assert.deepEqual([answer.run_result!.status, answer.run_result!.return_code], [status, code], JSON.stringify(given));
      assert.match(answer.message, message, JSON.stringify(given));
    }
  });

  it('a wrong answer exiting 0 is Failed, and a cut stdout is never a Success', () => {
    assert.equal(toRunCodeResponse(result([test({})], null, 'wrong_answer'), 'python').status, 'Failed');
    const cut = toRunCodeResponse(result([test({ stdoutTruncated: true })]), 'python');
    assert.equal(cut.status, 'Failed');
    assert.equal(cut.message, "the run's stdout is cut: it is not the whole output");
  });

  it('C++: a compile result, and a compile error is Failed with no run', () => {
    const ok = toRunCodeResponse(result([test({})], compile({})), 'cpp');
    assert.equal(ok.status, 'Success');
    assert.deepEqual(ok.compile_result, { status: 'Finished', execution_time: 0.25, return_code: 0, stdout: '', stderr: '' });
    const bad = toRunCodeResponse(result([test({ verdict: 'skipped' })], compile({ status: 'failed', exitCode: 1, output: 'error' }), 'compile_error'), 'cpp');
    assert.equal(bad.status, 'Failed');
    assert.equal(bad.run_result, null);
    assert.deepEqual([bad.compile_result!.return_code, bad.compile_result!.stderr], [1, 'error']);
    const slow = toRunCodeResponse(result([test({ verdict: 'skipped' })], compile({ status: 'time_limit_exceeded', exitCode: null }), 'compile_error'), 'cpp');
    assert.deepEqual([slow.compile_result!.status, slow.compile_result!.return_code], ['TimeLimitExceeded', null]);
  });

  it('a Python syntax error is the run failing, with no compile result', () => {
    const answer = toRunCodeResponse(result([test({ verdict: 'skipped' })], compile({ status: 'failed', exitCode: 1, output: 'SyntaxError' }), 'compile_error'), 'python');
    assert.equal(answer.status, 'Failed');
    assert.equal(answer.compile_result, null);
    assert.deepEqual([answer.run_result!.status, answer.run_result!.return_code, answer.run_result!.stderr], ['Finished', 1, 'SyntaxError']);
  });
});
