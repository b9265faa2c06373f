/**
 * The judge's pure parts, without a sandbox: reading the reports trusted code prints behind its
 * markers (a program printing one of its own must not pass for it), a call test's returned value
 * against the expected one, and when Python's deferred syntax check is called for.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { callVerdict, deferredCheckPattern, defersCompile, compilesFirst, evaluateTest, programVerdict, skipped } from '../../src/judge/evaluate.js';
import { normalizeSubmission } from '../../src/judge/normalize.js';
import { stripMarker, takeCallReport } from '../../src/judge/reports.js';
import type { StepRecord } from '../../src/judge/step.js';
import type { Submission, TestCase } from '../../src/judge/submission.js';
import { submissionRequestSchema, type SubmissionRequest, type TestResult } from '../../src/schemas.js';
import { fakeConfig } from '../helpers/fake-engine.js';

const config = fakeConfig();

function submission(request: Partial<SubmissionRequest> & { language: string }): Submission {
  return normalizeSubmission(submissionRequestSchema.parse({ source: 'print(1)\n', ...request }), config);
}

function record(more: Partial<StepRecord> = {}): StepRecord {
  return {
    exitCode: 0,
    signal: null,
    cpuTimeMs: 1,
    wallTimeMs: 2,
    peakMemoryBytes: 1 << 20,
    oomKills: 0,
    reason: 'none',
    execErrno: 0,
    boxBytes: 0,
    stdout: Buffer.alloc(0),
    stdoutTruncated: false,
    stderr: Buffer.alloc(0),
    stderrTruncated: false,
    ...more,
  };
}

const MARKER = 'verdict-call-0f3c';

describe('reports behind markers', () => {
  it('takes the last report: one the program printed before the runner\'s is its own output', () => {
    const forged = `\n${MARKER}\n{"ok":true,"value":"forged"}\n`;
    const real = `\n${MARKER}\n{"ok":true,"value":3}`;
    const taken = takeCallReport(Buffer.from(`hello${forged}${real}`), MARKER);
    assert.deepEqual(taken.report, { ok: true, value: 3 });
    assert.equal(taken.stdout.toString(), `hello${forged}`);
  });

  it('finds no report behind another marker, or behind the marker not on a line of its own', () => {
    assert.equal(takeCallReport(Buffer.from('\nverdict-call-guess\n{"ok":true,"value":3}'), MARKER).report, undefined);
    assert.equal(takeCallReport(Buffer.from(`x${MARKER}\n{"ok":true,"value":3}`), MARKER).report, undefined);
  });

  it('refuses a report that is no call report, and keeps the output before it', () => {
    const taken = takeCallReport(Buffer.from(`out\n${MARKER}\n{"value":3}`), MARKER);
    assert.equal(taken.report, undefined);
    assert.equal(taken.stdout.toString(), 'out');
  });

  it('strips only the trailer\'s last marker line, keeping what the program printed around it', () => {
    const found = stripMarker(Buffer.from('a\nverdict-m\nb\nverdict-m\nc'), 'verdict-m');
    assert.deepEqual({ present: found.present, stdout: found.stdout.toString() }, { present: true, stdout: 'a\nverdict-m\nbc' });
    assert.equal(stripMarker(Buffer.from('a verdict-m\n'), 'verdict-m').present, false);
  });

  it('judges test code that never printed its trailer a runtime error, whatever look-alike the program printed', async () => {
    const sub = { ...submission({ language: 'python' }), marker: 'verdict-harness-1' };
    const test = sub.tests[0]!;
    const early = await evaluateTest(sub, test, record({ stdout: Buffer.from('\nverdict-harness-2\n') }), {}, 1024);
    assert.deepEqual([early.result.verdict, early.result.harnessCompleted], ['runtime_error', false]);
    const done = await evaluateTest(sub, test, record({ stdout: Buffer.from('out\nverdict-harness-1\n') }), {}, 1024);
    assert.deepEqual([done.result.verdict, done.result.harnessCompleted, done.result.stdout], ['accepted', true, 'out']);
  });
});

describe('a call test\'s returned value', () => {
  const sub = submission({ language: 'python', entryPoint: 'f', tests: [{ call: { args: [1] }, expected: 3 }] });
  const test = sub.tests[0]!;

  it('is accepted when equal, a wrong answer saying where it differs otherwise', () => {
    assert.deepEqual(callVerdict({ ok: true, value: 3 }, test, sub), { verdict: 'accepted' });
    assert.deepEqual(callVerdict({ ok: true, value: [3] }, test, sub), {
      verdict: 'wrong_answer',
      checkerMessage: 'returned [3], expected 3 (they differ at (value))',
    });
  });

  it('is a runtime error without a report (the program ended first), a wrong answer when it could not be serialized', () => {
    assert.deepEqual(callVerdict(undefined, test, sub), { verdict: 'runtime_error' });
    assert.deepEqual(callVerdict({ ok: false, error: 'not JSON: set' }, test, sub), { verdict: 'wrong_answer', checkerMessage: 'not JSON: set' });
  });

  it('compares numbers within the float checker\'s tolerance only', () => {
    const near: TestCase = { ...test, call: { ...test.call!, expected: 0.3 } };
    assert.equal(callVerdict({ ok: true, value: 0.1 + 0.2 }, near, { checker: { mode: 'float', absTolerance: 1e-6, relTolerance: 1e-6 } }).verdict, 'accepted');
    assert.equal(callVerdict({ ok: true, value: 0.30001 }, near, sub).verdict, 'wrong_answer');
  });

  it('is accepted on any value when the test gives none to expect', () => {
    const open = submission({ language: 'python', entryPoint: 'f', tests: [{ call: { args: [] } }] });
    assert.deepEqual(callVerdict({ ok: true, value: 'anything' }, open.tests[0]!, open), { verdict: 'accepted' });
  });

  it('reads the runner\'s report off stdout, the program\'s own output before it', async () => {
    const stdout = Buffer.from(`printed\n${MARKER}\n{"ok":true,"value":4}`);
    const { result } = await evaluateTest(sub, test, record({ stdout }), { call: MARKER }, 1024);
    assert.equal(result.verdict, 'wrong_answer');
    assert.equal(result.stdout, 'printed');
  });
});

describe('the deferred syntax check (Python\'s onlyAfterFailure)', () => {
  const python = submission({ language: 'python' });

  it('is deferred in run mode, run first in compile mode, and not a thing for a compiled language', () => {
    assert.deepEqual([defersCompile(python), compilesFirst(python)], [true, false]);
    const compileMode = submission({ language: 'python', mode: 'compile' });
    assert.deepEqual([defersCompile(compileMode), compilesFirst(compileMode)], [false, true]);
    const cpp = submission({ language: 'cpp', source: 'int main() {}\n' });
    assert.deepEqual([defersCompile(cpp), compilesFirst(cpp), deferredCheckPattern(cpp, false)], [false, true, undefined]);
  });

  it('is called for by a runtime error whose stderr names a syntax error, or whose stderr overflowed', async () => {
    const suspect = deferredCheckPattern(python, false);
    assert.ok(suspect);
    const test = python.tests[0]!;
    const syntax = record({ exitCode: 1, stderr: Buffer.from('  File "main.py", line 1\nSyntaxError: invalid syntax\n') });
    assert.equal((await evaluateTest(python, test, syntax, {}, 1024, suspect)).suspected, true);
    const other = record({ exitCode: 1, stderr: Buffer.from('ZeroDivisionError: division by zero\n') });
    assert.equal((await evaluateTest(python, test, other, {}, 1024, suspect)).suspected, false);
    const overflowed = record({ exitCode: 1, stderr: Buffer.from('x'.repeat(100)), stderrTruncated: true });
    assert.equal((await evaluateTest(python, test, overflowed, {}, 1024, suspect)).suspected, true);
  });

  it('is not called for once it ran, nor by a test that passed', async () => {
    assert.equal(deferredCheckPattern(python, true), undefined);
    const suspect = deferredCheckPattern(python, false);
    const passed = record({ stderr: Buffer.from('SyntaxError (a warning the program printed)\n') });
    assert.equal((await evaluateTest(python, python.tests[0]!, passed, {}, 1024, suspect)).suspected, false);
  });
});

describe('the program\'s verdict over its tests', () => {
  const accepted = (id: string): TestResult => ({ ...skipped(id), verdict: 'accepted' });

  it('is a runtime error when a lost sandbox left tests unrun, though every test run passed', () => {
    const tests = [accepted('1'), skipped('2')];
    assert.equal(programVerdict({ compiled: true, tests, budgetExhausted: false, lost: true }), 'runtime_error');
    assert.equal(programVerdict({ compiled: true, tests: [accepted('1')], budgetExhausted: false, lost: true }), 'accepted');
  });

  it('is the first failure\'s, before the budget\'s end and the compile error before everything', () => {
    const tests = [accepted('1'), { ...skipped('2'), verdict: 'wrong_answer' as const }, { ...skipped('3'), verdict: 'runtime_error' as const }];
    assert.equal(programVerdict({ compiled: true, tests, budgetExhausted: true, lost: false }), 'wrong_answer');
    assert.equal(programVerdict({ compiled: true, tests: [accepted('1')], budgetExhausted: true, lost: false }), 'time_limit_exceeded');
    assert.equal(programVerdict({ compiled: false, tests, budgetExhausted: true, lost: true }), 'compile_error');
  });
});

describe('paired runs: the trusted test process decides', () => {
  const paired = () => submission({ language: 'python', source: 'def add(a, b):\n    return a - b\n', testCode: 'assert add(2, 3) == 5\n' });
  const test = (sub: Submission): TestCase => sub.tests[0]!;
  const trusted = (report: string, more: Partial<NonNullable<StepRecord['trusted']>> = {}): NonNullable<StepRecord['trusted']> => ({
    exitCode: 0,
    signal: null,
    failedToStart: false,
    output: Buffer.from(report),
    outputTruncated: false,
    ...more,
  });
  const judge = async (rec: StepRecord) => {
    const sub = paired();
    return (await evaluateTest(sub, test(sub), rec, { paired: true }, 1 << 20)).result;
  };

  it('runs Python test code beside the program, never composed into it', () => {
    const sub = paired();
    assert.equal(sub.trustedTestCode, 'assert add(2, 3) == 5\n');
    assert.equal(sub.marker, undefined);
    assert.deepEqual(sub.files.map((f) => [f.path, f.content.toString()]), [['main.py', 'def add(a, b):\n    return a - b\n']]);
  });

  it('reads the verdict from the report alone: what the program printed, forged reports included, counts for nothing', async () => {
    const forged = '\n{"outcome": "passed"}\n';
    const failed = await judge(record({ stdout: Buffer.from(forged), exitCode: null, trusted: trusted('\n{"outcome": "failed", "message": "AssertionError at line 1 of the test code: assert add(2, 3) == 5"}\n') }));
    assert.equal(failed.verdict, 'wrong_answer');
    assert.match(failed.checkerMessage!, /line 1 of the test code/);
    assert.equal(failed.stdout, forged);
    assert.equal(failed.harnessCompleted, false);
    const passed = await judge(record({ exitCode: null, trusted: trusted('noise\n{"outcome": "passed", "output": "printed by the test\\n"}\n') }));
    assert.equal(passed.verdict, 'accepted');
    assert.equal(passed.stdout, 'printed by the test\n');
    assert.equal(passed.harnessCompleted, true);
  });

  it('maps each outcome: a value that cannot cross is a wrong answer, an ending or a broken channel a runtime error', async () => {
    for (const [outcome, verdict] of [['not_plain', 'wrong_answer'], ['raised', 'runtime_error'], ['ended', 'runtime_error'], ['cannot_cross', 'runtime_error'], ['broken', 'runtime_error']] as const) {
      const r = await judge(record({ exitCode: null, trusted: trusted(`{"outcome": "${outcome}", "message": "why"}`) }));
      assert.equal(r.verdict, verdict, outcome);
      assert.equal(r.checkerMessage, 'why');
    }
  });

  it("reads limits and the program's own crash first, and never a report after them", async () => {
    const pass = trusted('{"outcome": "passed"}');
    assert.equal((await judge(record({ exitCode: null, reason: 'wall', wallTimeMs: 99_999, trusted: pass }))).verdict, 'time_limit_exceeded');
    assert.equal((await judge(record({ exitCode: 1, trusted: pass }))).verdict, 'runtime_error');
    assert.equal((await judge(record({ exitCode: null, signal: 11, trusted: pass }))).verdict, 'runtime_error');
    // Still running when the tests ended is no failure; ending by itself with 0 first is none either.
    assert.equal((await judge(record({ exitCode: 0, trusted: pass }))).verdict, 'accepted');
  });

  it("a trusted process that left no report, or never started, is Verdict's retryable failure, never a verdict", async () => {
    for (const bad of [trusted(''), trusted('Traceback (most recent call last):\n  oops\n', { exitCode: 1 }), trusted('{"outcome": "maybe"}'), trusted('', { failedToStart: true, exitCode: null })]) {
      await assert.rejects(judge(record({ exitCode: null, trusted: bad })), (err: Error & { code?: string; retryable?: boolean }) => err.code === 'VERDICT_TRUSTED_RUNNER_FAILED' && err.retryable === true);
    }
    await assert.rejects(judge(record({ exitCode: null })), { code: 'VERDICT_TRUSTED_RUNNER_FAILED' });
  });
});
