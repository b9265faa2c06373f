/**
 * From what a sandbox recorded to what the answer says, outside the sandbox: one test's result
 * (limits first, then the reports trusted code printed, then the checker), a call test's returned
 * value against the expected one, the program's verdict over its tests, and when a deferred
 * syntax check is worth running. Pure: no sandbox, no clock.
 */
import { check } from '../domain/checkers.js';
import { classifyCompile, classifyRun, signalName } from '../domain/classify.js';
import { valueDifference } from '../domain/values.js';
import type { Verdict } from '../domain/vocabulary.js';
import { TrustedRunnerFailedError } from '../errors.js';
import { checkFailedMarker } from '../languages/harness.js';
import type { RunRecord } from '../sandbox/protocol.js';
import type { CompileResult, TestResult } from '../domain/results.js';
import { failureLocation, reportWindow } from './location.js';
import { ownLines, stripMarker, takeCallReport, takeCoverage, type CallReport } from './reports.js';
import type { StepRecord } from './step.js';
import type { Submission, TestCase } from './submission.js';
import { readTrustedReport, trustedVerdict } from './trusted-report.js';

/** The markers a test ran with: the tracer's (a traced program run) or the call runner's (a call test). */
export interface TestMarkers {
  coverage?: string | undefined;
  call?: string | undefined;
  /** A paired run: its trusted test process's report decides (trusted-report.ts). */
  paired?: boolean;
}

/**
 * Whether the language's compile step is a check run only when a test's failure looks like the
 * program was no program at all (Python's syntax check, `onlyAfterFailure`). A compile-mode
 * request runs it first all the same: the check is all it asks for.
 */
export function defersCompile(sub: Submission): boolean {
  return sub.language.compile?.onlyAfterFailure !== undefined && sub.mode === 'run';
}

/** Whether a compile step runs before any test. */
export function compilesFirst(sub: Submission): boolean {
  return sub.language.compile !== undefined && !defersCompile(sub);
}

/** The stderr pattern that calls for the deferred check after a failed test; undefined once it ran, or when nothing is deferred. */
export function deferredCheckPattern(sub: Submission, compiled: boolean): RegExp | undefined {
  return defersCompile(sub) && !compiled ? sub.language.compile?.onlyAfterFailure : undefined;
}

/**
 * The test's result, and whether its stderr matches `suspect` (see deferredCheckPattern): in the
 * head and tail of all that was captured (reportWindow), not only in what the answer shows.
 * `returnedBytes`: what the answer carries of each output.
 */
export async function evaluateTest(
  sub: Submission,
  test: TestCase,
  record: StepRecord,
  markers: TestMarkers,
  returnedBytes: number,
  suspect?: RegExp,
): Promise<{ result: TestResult; suspected: boolean }> {
  let stdout = record.stdout;
  let stderr = record.stderr;
  // A paired run's program is reported only when it ended before the test process: still running then is no failure.
  const ended = markers.paired && record.exitCode === null && record.signal === null ? { ...record, exitCode: 0 } : record;
  let verdict: Verdict | undefined = classifyRun(ended, { cpuTimeMs: sub.limits.timeMs, memoryBytes: sub.limits.memoryBytes });
  let checkerMessage: string | undefined;
  let harnessCompleted: boolean | undefined;
  // The tracer reports last, after the harness trailer: take its block off first.
  let coverage: Record<string, number[]> | null | undefined;
  if (markers.coverage !== undefined) {
    const taken = takeCoverage(stdout, markers.coverage, sub.ownCode, sub.language.coverage?.fromReport);
    coverage = taken.coverage;
    stdout = taken.stdout;
  }
  let returned: CallReport | undefined;
  if (markers.call !== undefined) {
    const taken = takeCallReport(stdout, markers.call);
    returned = taken.report;
    stdout = taken.stdout;
    if (returned?.coverage !== undefined) coverage = ownLines(returned.coverage, sub.ownCode);
    else if (sub.coverage) coverage = null;
  }
  if (sub.marker !== undefined) {
    const found = stripMarker(stdout, sub.marker);
    harnessCompleted = found.present;
    stdout = found.stdout;
    // Exiting 0 before the test code finished is not passing it.
    if (verdict === undefined && !found.present) verdict = 'runtime_error';
    const failed = stripMarker(stdout, checkFailedMarker(sub.marker));
    stdout = failed.stdout;
    // The test code's own check failed (the trailer saw where, see harness.ts): the same bug's
    // verdict under stdin or call tests. Limits, decided first, keep theirs.
    if (verdict === 'runtime_error' && failed.present) {
      verdict = 'wrong_answer';
      checkerMessage = 'a check of the test code failed (see stderr)';
    }
  }
  if (markers.paired) {
    // Limits and the program's own ending (a crash, an exit status) are read first, as for any run.
    if (verdict === undefined) {
      if (!record.trusted) throw new TrustedRunnerFailedError('a paired run came back without its trusted process');
      const report = readTrustedReport(record.trusted);
      ({ verdict, checkerMessage } = trustedVerdict(report));
      // As for a composed harness: the test code ran to its end.
      harnessCompleted = report.outcome === 'passed';
      // What the test code printed follows what the program printed.
      if (report.output) stdout = Buffer.concat([stdout, Buffer.from(report.output, 'utf8')]);
      // And the test code's traceback what the program wrote to stderr.
      if (report.stderr) stderr = Buffer.concat([stderr, Buffer.from(report.stderr, 'utf8')]);
      // A pass still owes any expected output below.
      if (verdict === 'accepted') verdict = undefined;
    } else {
      harnessCompleted = false;
    }
  }
  if (verdict === undefined && markers.call !== undefined) {
    ({ verdict, checkerMessage } = callVerdict(returned, test, sub));
  }
  if (verdict === undefined) {
    if (test.expectedStdout === undefined) {
      verdict = 'accepted';
    } else {
      const checked = await check(stdout, test.expectedStdout, sub.checker);
      verdict = checked.ok ? 'accepted' : 'wrong_answer';
      checkerMessage = checked.message;
    }
  }
  // The program's own stderr: a failure is located and a syntax error suspected there, never in the test code's traceback.
  const window = verdict === 'runtime_error' ? reportWindow(record.stderr) : '';
  // A long traceback can push the error's name past what the answer shows; the capture may even have overflowed.
  const suspected = suspect !== undefined && verdict === 'runtime_error' && (record.stderrTruncated || suspect.test(window));
  const failure = verdict === 'runtime_error' ? failureLocation(sub.language.id, window, sub.ownCode) : undefined;
  const result: TestResult = {
    id: test.id,
    verdict,
    exitCode: record.exitCode,
    signal: signalName(record.signal),
    cpuTimeMs: roundMs(record.cpuTimeMs),
    wallTimeMs: roundMs(record.wallTimeMs),
    peakMemoryBytes: record.peakMemoryBytes,
    stdout: decode(stdout, returnedBytes),
    stdoutTruncated: record.stdoutTruncated || stdout.length > returnedBytes,
    stderr: decode(stderr, returnedBytes),
    stderrTruncated: record.stderrTruncated || stderr.length > returnedBytes,
    ...(checkerMessage ? { checkerMessage } : {}),
    ...(harnessCompleted !== undefined ? { harnessCompleted } : {}),
    ...(failure ? { failure } : {}),
    ...(coverage !== undefined ? { coverage } : {}),
    ...(record.sandboxLost ? { sandboxLost: true as const } : {}),
  };
  return { result, suspected };
}

/**
 * A call test of a program that ended within its limits: no report means the program ended the
 * process before its function returned (exit(0) included); a value the runner could not serialize
 * is a wrong answer; a value is compared with the expected one when the test gives it.
 */
export function callVerdict(returned: CallReport | undefined, test: TestCase, sub: Pick<Submission, 'checker'>): { verdict: Verdict; checkerMessage?: string | undefined } {
  if (!returned) return { verdict: 'runtime_error' };
  if (!returned.ok) return { verdict: 'wrong_answer', checkerMessage: returned.error };
  if (!test.call?.hasExpected) return { verdict: 'accepted' };
  const tolerance = sub.checker.mode === 'float' ? { absTolerance: sub.checker.absTolerance, relTolerance: sub.checker.relTolerance } : {};
  const where = valueDifference(returned.value, test.call.expected, tolerance);
  if (where === undefined) return { verdict: 'accepted' };
  return { verdict: 'wrong_answer', checkerMessage: `returned ${clipJson(returned.value)}, expected ${clipJson(test.call.expected)} (they differ at ${where})` };
}

/**
 * The program's verdict: a compile error, else its first failing test's, else the end of the
 * budget. Skipped tests follow a failure, a compile error, the end of the budget or a lost sandbox:
 * never the verdict themselves. Tests a lost sandbox left unrun are no pass: the program made its
 * sandbox unusable (or its memory killed the supervisor), a runtime error when nothing failed.
 */
export function programVerdict(outcome: { compiled: boolean; tests: readonly TestResult[]; budgetExhausted: boolean; lost: boolean }): Verdict {
  if (!outcome.compiled) return 'compile_error';
  const firstFailure = outcome.tests.find((t) => t.verdict !== 'accepted' && t.verdict !== 'skipped');
  if (firstFailure) return firstFailure.verdict;
  if (outcome.budgetExhausted) return 'time_limit_exceeded';
  return outcome.lost && outcome.tests.some((t) => t.verdict === 'skipped') ? 'runtime_error' : 'accepted';
}

export function compileResult(record: RunRecord, limits: { cpuTimeMs: number; memoryBytes: number }, returnedBytes: number): CompileResult {
  const output = Buffer.concat([record.stdout, record.stderr]);
  return {
    status: classifyCompile(record, limits),
    exitCode: record.exitCode,
    signal: signalName(record.signal),
    output: decode(output, returnedBytes),
    outputTruncated: record.stdoutTruncated || record.stderrTruncated || output.length > returnedBytes,
    cpuTimeMs: roundMs(record.cpuTimeMs),
    wallTimeMs: roundMs(record.wallTimeMs),
    peakMemoryBytes: record.peakMemoryBytes,
  };
}

/** A test that did not run. */
export function skipped(id: string): TestResult {
  return {
    id,
    verdict: 'skipped',
    exitCode: null,
    signal: null,
    cpuTimeMs: 0,
    wallTimeMs: 0,
    peakMemoryBytes: 0,
    stdout: '',
    stdoutTruncated: false,
    stderr: '',
    stderrTruncated: false,
  };
}

/** Milliseconds to the microsecond the supervisor measures in. */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function clipJson(value: unknown, max = 200): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function decode(bytes: Buffer, limit: number): string {
  return bytes.subarray(0, limit).toString('utf8');
}
