/** Piston's drop-in, translation only (src/compat/piston/translate.ts): request → submission, result → answer. No Docker. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pistonSubmission, semverOf, toPistonResponse, versionMatches } from '../../src/compat/piston/translate.js';
import { findPistonLanguage } from '../../src/compat/piston/names.js';
import { parseConfig } from '../../src/config.js';
import { BadRequestError } from '../../src/errors.js';
import type { CompileResult, SubmissionResult, TestResult } from '../../src/schemas.js';

const config = parseConfig({ LOG_LEVEL: 'silent' }, { cpuCount: 2, randomId: 'compat-piston-test' });
const lang = (name: string) => findPistonLanguage(name)!;
const text = (b: Buffer | undefined) => b?.toString('utf8');

describe('Piston versions', () => {
  // What each sandbox image's version command prints (src/languages/*.ts, versionCommand).
  const reported: Array<[string, string]> = [
    ['Python 3.11.2', '3.11.2'],
    ['gcc (Debian 12.2.0-14+deb12u1) 12.2.0', '12.2.0'],
    ['g++ (Debian 12.2.0-14+deb12u1) 12.2.0', '12.2.0'],
    ['go version go1.19.8 linux/amd64', '1.19.8'],
    ['openjdk version "17.0.21.1" 2026-11-17', '17.0.21'],
    ['rustc 1.63.0', '1.63.0'],
    ['Node.js v18.20.4', '18.20.4'],
    ['TypeScript 5.9.3, Node.js v18.20.4', '5.9.3'],
  ];
  for (const [toolchain, version] of reported) it(`${toolchain} is ${version}`, () => assert.equal(semverOf(toolchain), version));
  it('a string without a number has none', () => assert.equal(semverOf('unknown'), null));

  it('matches Piston selectors: *, exact, prefixes, ^ and ~', () => {
    for (const s of ['*', 'x', '', 'latest', '3.11.2', '3', '3.11', '3.x', '3.11.*', 'v3.11.2', '=3.11.2', '^3.1', '~3.11.9']) assert.equal(versionMatches(s, '3.11.2'), true, s);
    for (const s of ['2.7.18', '3.10', '4', '~3.10', '^2', '3.11.2.1', 'three']) assert.equal(versionMatches(s, '3.11.2'), false, s);
  });

  it('knows Piston names and aliases, case-insensitively, and nothing every object inherits', () => {
    assert.equal(lang('c++').id, 'cpp');
    assert.equal(lang('PY3').id, 'python');
    assert.equal(lang('node-ts').id, 'typescript');
    assert.equal(findPistonLanguage('constructor'), undefined);
  });
});

describe('Piston request → submission', () => {
  it('writes the first file under the entry name, the others beside it, decoded, all of them the candidate\'s', () => {
    const sub = pistonSubmission(
      {
        language: 'py',
        version: '*',
        files: [
          { name: 'hello.py', content: 'import helper\n' },
          { name: 'helper.py', content: Buffer.from('X = 1\n').toString('base64'), encoding: 'base64' },
          { content: Buffer.from('raw').toString('hex'), encoding: 'hex' },
        ],
        stdin: 'in\n',
        args: ['a', 'b'],
      },
      lang('py'),
      config,
    );
    assert.deepEqual(sub.files.map((f) => [f.path, text(f.content)]), [['main.py', 'import helper\n'], ['helper.py', 'X = 1\n'], ['file2', 'raw']]);
    assert.equal(sub.entry, 'main.py');
    assert.deepEqual(sub.ownCode, { files: ['main.py', 'helper.py', 'file2'], composed: undefined });
    assert.equal(sub.tests.length, 1);
    assert.equal(text(sub.tests[0]!.stdin), 'in\n');
    assert.deepEqual(sub.tests[0]!.args, ['a', 'b']);
    assert.equal(sub.tests[0]!.expectedStdout, undefined);
    assert.equal(sub.returnedOutputBytes, config.maxLimits.outputBytes);
    assert.equal(sub.limits.outputBytes, config.maxLimits.outputBytes);
  });

  it('keeps an entry\'s bytes that are not UTF-8', () => {
    const latin1 = Buffer.from([0x70, 0x72, 0x69, 0x6e, 0x74, 0x28, 0x22, 0xe9, 0x22, 0x29, 0x0a]);
    const sub = pistonSubmission({ language: 'python', version: '*', files: [{ content: latin1.toString('base64'), encoding: 'base64' }] }, lang('python'), config);
    assert.ok(sub.files[0]!.content.equals(latin1));
  });

  it('names a Java entry by its public class, as the native API does', () => {
    const sub = pistonSubmission({ language: 'java', version: '*', files: [{ name: 'x.java', content: 'public class Solution { public static void main(String[] a) {} }\n' }] }, lang('java'), config);
    assert.equal(sub.entry, 'Solution.java');
  });

  it('runs a Go test file as given: no harness of Verdict\'s, no marker', () => {
    const source = 'package main\n\nimport "testing"\n\nfunc TestA(t *testing.T) {}\n';
    const sub = pistonSubmission({ language: 'go', version: '*', files: [{ content: source }] }, lang('go'), config);
    assert.equal(sub.entry, 'main_test.go');
    assert.deepEqual(sub.files.map((f) => f.path), ['main_test.go']);
    assert.equal(sub.marker, undefined);
  });

  it('limits: absent or ≤ 0 is the default, above the maximum is the maximum, the smaller compile limit wins', () => {
    const max = config.maxLimits;
    const defaults = pistonSubmission({ language: 'c', version: '*', files: [{ content: 'int main(){}' }], run_timeout: -1, run_memory_limit: -1, compile_timeout: 0 }, lang('c'), config).limits;
    assert.equal(defaults.timeMs, config.defaultLimits.timeMs);
    assert.equal(defaults.memoryBytes, config.defaultLimits.memoryBytes);
    assert.equal(defaults.compileTimeMs, config.defaultLimits.compileTimeMs);
    const high = pistonSubmission(
      { language: 'c', version: '*', files: [{ content: 'int main(){}' }], run_timeout: max.wallTimeMs * 10, run_memory_limit: max.memoryBytes * 2, compile_memory_limit: max.compileMemoryBytes * 2 },
      lang('c'),
      config,
    ).limits;
    assert.equal(high.wallTimeMs, max.wallTimeMs);
    assert.equal(high.timeMs, max.timeMs);
    assert.equal(high.memoryBytes, max.memoryBytes);
    assert.equal(high.compileMemoryBytes, max.compileMemoryBytes);
    const split = pistonSubmission({ language: 'c', version: '*', files: [{ content: 'int main(){}' }], run_timeout: 3000, run_cpu_time: 1000, compile_timeout: 4000, compile_cpu_time: 2000 }, lang('c'), config).limits;
    assert.deepEqual([split.wallTimeMs, split.timeMs, split.compileTimeMs], [3000, 1000, 2000]);
  });

  it('a further file named like the entry is a 400 that says the first file took that name', () => {
    assert.throws(
      () => pistonSubmission({ language: 'python', version: '*', files: [{ name: 'a.py', content: '' }, { name: 'main.py', content: '' }] }, lang('python'), config),
      (err: unknown) => err instanceof BadRequestError && err.message === 'files.1.name: "main.py" appears twice (the first file is written as main.py, the python entry)',
    );
    const tooMany = Array.from({ length: config.maxFiles + 1 }, (_, i) => ({ name: `f${i}.py`, content: '' }));
    assert.throws(() => pistonSubmission({ language: 'python', version: '*', files: tooMany }, lang('python'), config), /files: \d+ files given, at most \d+ are accepted/);
  });
});

const test = (over: Partial<TestResult>): TestResult => ({
  id: '1',
  verdict: 'accepted',
  exitCode: 0,
  signal: null,
  cpuTimeMs: 10.4,
  wallTimeMs: 20.6,
  peakMemoryBytes: 1000,
  stdout: 'out',
  stdoutTruncated: false,
  stderr: 'err',
  stderrTruncated: false,
  ...over,
});
const compile = (over: Partial<CompileResult>): CompileResult => ({ status: 'ok', exitCode: 0, signal: null, output: '', outputTruncated: false, cpuTimeMs: 100, wallTimeMs: 200, peakMemoryBytes: 5000, ...over });
const result = (tests: TestResult[], compiled: CompileResult | null = null): SubmissionResult => ({
  verdict: tests[0]?.verdict ?? 'compile_error',
  passed: 0,
  total: tests.length,
  compile: compiled,
  tests,
  manifest: {
    language: 'python',
    languageVersion: 'Python 3.11.2',
    image: 'verdict/sandbox-python:x',
    imageId: 'sha256:x',
    limits: config.defaultLimits,
    checker: { mode: 'exact', absTolerance: 0, relTolerance: 0 },
    supervisorProtocol: 1,
    instanceId: 'i',
  },
  wallTimeMs: 30,
  cache: 'off',
});

describe('Verdict result → Piston answer', () => {
  const run = (t: TestResult) => toPistonResponse(result([t]), lang('python'), '3.11.2', 1000).run!;

  it('an accepted run: code 0, no status, output is stdout then stderr, times rounded', () => {
    const answer = toPistonResponse(result([test({})]), lang('python'), '3.11.2', 1000);
    assert.deepEqual(answer, {
      language: 'python',
      version: '3.11.2',
      run: { stdout: 'out', stderr: 'err', output: 'outerr', code: 0, signal: null, message: null, status: null, cpu_time: 10, wall_time: 21, memory: 1000 },
    });
  });

  it('each verdict as Piston says it', () => {
    const cases: Array<[Partial<TestResult>, { status: string | null; signal: string | null; code: number | null; message: string | null }]> = [
      [{ verdict: 'runtime_error', exitCode: 3 }, { status: 'RE', signal: null, code: 3, message: 'Exited with error status 3' }],
      [{ verdict: 'runtime_error', exitCode: null, signal: 'SIGSEGV' }, { status: 'SG', signal: 'SIGSEGV', code: null, message: 'Caught fatal signal SIGSEGV' }],
      [{ verdict: 'time_limit_exceeded', exitCode: null }, { status: 'TO', signal: 'SIGKILL', code: null, message: 'Time limit exceeded' }],
      [{ verdict: 'output_limit_exceeded', exitCode: null, signal: 'SIGKILL', stdoutTruncated: true }, { status: 'OL', signal: 'SIGKILL', code: null, message: 'stdout length exceeded' }],
      [{ verdict: 'output_limit_exceeded', exitCode: null, signal: 'SIGKILL', stderrTruncated: true }, { status: 'EL', signal: 'SIGKILL', code: null, message: 'stderr length exceeded' }],
      [{ verdict: 'memory_limit_exceeded', exitCode: null, signal: 'SIGKILL' }, { status: 'SG', signal: 'SIGKILL', code: null, message: 'Memory limit exceeded' }],
      [{ verdict: 'memory_limit_exceeded', exitCode: 1 }, { status: 'RE', signal: null, code: 1, message: 'Memory limit exceeded' }],
      [{ verdict: 'wrong_answer', exitCode: 0 }, { status: null, signal: null, code: 0, message: null }],
    ];
    for (const [given, want] of cases) {
      const stage = run(test(given));
      assert.deepEqual({ status: stage.status, signal: stage.signal, code: stage.code, message: stage.message }, want, JSON.stringify(given));
    }
  });

  it('a compile error: a compile stage with a non-zero code, no run', () => {
    const answer = toPistonResponse(result([test({ verdict: 'skipped' })], compile({ status: 'failed', exitCode: 1, output: 'error: x' })), lang('cpp'), '12.2.0', 1000);
    assert.equal(answer.run, undefined);
    assert.deepEqual(
      { status: answer.compile!.status, code: answer.compile!.code, stdout: answer.compile!.stdout, stderr: answer.compile!.stderr, output: answer.compile!.output, message: answer.compile!.message },
      { status: 'RE', code: 1, stdout: '', stderr: 'error: x', output: 'error: x', message: 'Exited with error status 1' },
    );
    const cut = toPistonResponse(result([test({})], compile({ outputTruncated: true })), lang('cpp'), '12.2.0', 1000);
    assert.equal(cut.compile!.message, 'compiler output cut at 1000 bytes');
    assert.equal(cut.run!.code, 0);
  });

  it('a Python syntax error is the run failing: Piston has no compile stage for Python', () => {
    const answer = toPistonResponse(result([test({ verdict: 'skipped' })], compile({ status: 'failed', exitCode: 1, output: 'SyntaxError: x' })), lang('python'), '3.11.2', 1000);
    assert.equal(answer.compile, undefined);
    assert.equal(answer.run!.status, 'RE');
    assert.equal(answer.run!.code, 1);
    assert.equal(answer.run!.stderr, 'SyntaxError: x');
  });

  it('without a built image, the version is the result\'s own toolchain\'s', () => {
    assert.equal(toPistonResponse(result([test({})]), lang('python'), null, 1000).version, '3.11.2');
  });
});
