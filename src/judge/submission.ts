/**
 * What the judge is asked to run and what it answers, as plain data: the model every
 * request route, the cache and the language catalog share. Types and tiny constructors only.
 */
import type { CheckerOptions } from '../domain/checkers.js';
import type { CheckerMode, Limits, Priority } from '../domain/vocabulary.js';
import type { LanguageDefinition } from '../languages/types.js';
import type { SubmissionResult } from '../domain/results.js';
import type { OwnCode } from './location.js';
import type { ResponseBudget } from './response-budget.js';

export interface SourceFile {
  path: string;
  content: Buffer;
}

export interface TestCase {
  id: string;
  stdin: Buffer;
  expectedStdout: Buffer | undefined;
  args: readonly string[];
  /** A function-call test: arguments and, when given, the expected return value (JSON). */
  call?: { args: unknown[]; kwargs: Record<string, unknown>; expected: unknown; hasExpected: boolean };
}

/** A validated request, limits resolved: what the judge runs. */
export interface Submission {
  language: LanguageDefinition;
  /** The file the program starts from, relative to the program directory. */
  entry: string;
  /** With test code: the line its trailer prints once the tests finished (see languages/compose.ts). */
  marker: string | undefined;
  /** The marker as the trailer's file holds it and that file's name tag (see HiddenMarker): random per request too, so the cache key sets them aside likewise. */
  hiddenMarker?: { list: string; fileTag: string };
  /**
   * Test code the language runs in a trusted process beside the program (`trustedTestCode`),
   * completed (HumanEval's check called); every test is then a paired run, and only the trusted
   * process's report can pass it.
   */
  trustedTestCode?: string;
  /** Compiler arguments a harness adds. */
  compileFlags: readonly string[];
  /** Files the compiler reads and the run must not (the trailer's, holding the hidden marker): removed once compiled. */
  compileOnly: readonly string[];
  files: readonly SourceFile[];
  tests: readonly TestCase[];
  checker: CheckerOptions;
  limits: Limits;
  stopOnFirstFailure: boolean;
  mode: 'run' | 'compile';
  /** What of the program is the candidate's own, for failure locations and coverage. */
  ownCode: OwnCode;
  /** Report the executed lines of the candidate's own code per test (languages with `coverage`). */
  coverage: boolean;
  /** The function call tests call (languages with `call`). */
  entryPoint: string | undefined;
  /**
   * Bytes of each test's stdout and stderr, and of the compiler's output, the answer carries;
   * default VERDICT_RESPONSE_OUTPUT_BYTES. The raw-execution drop-ins set it to the output limit:
   * their clients compare the output themselves, so a cut one would fail a right program.
   * Not in the cache key: those routes never use the cache.
   */
  returnedOutputBytes?: number;
}

/** One program of a batch, under the id its answer line carries. */
export interface BatchItem {
  id: string;
  submission: Submission;
}

/** The sandbox image a language runs in now: its tag, content id and toolchain version. */
export interface ImageRef {
  tag: string;
  id: string;
  version: string;
}

export interface SubmitOptions {
  priority: Priority;
  /** Fires when the client is gone: its queued work is dropped and its sandboxes killed. */
  signal?: AbortSignal | undefined;
  cache: boolean;
  /**
   * Milliseconds within which the caller needs its answer. When the expected wait for a slot plus
   * the program's own limits exceed it, submit() refuses at once (504) instead of queueing.
   * Not a batch's deadlineMs (past which work is not_run): only submit() reads it.
   */
  answerWithinMs?: number | undefined;
}

export interface BatchOptions extends SubmitOptions {
  /** Milliseconds from run() on, past which the items not yet judged are not_run. */
  deadlineMs?: number | undefined;
  /** What the answer may carry of output; each line's result is trimmed to it as it is emitted. */
  budget?: ResponseBudget | undefined;
  /**
   * Programs the same request runs besides the batch's items (a label request's reference and its
   * segmentation), admitted with them: the request is admitted whole or refused whole.
   */
  alongside?: number | undefined;
}

/** A result as judged, before the cache says how it was obtained. */
export type JudgedResult = Omit<SubmissionResult, 'cache'>;

export const defaultChecker = (mode: CheckerMode = 'lines'): CheckerOptions => ({ mode, absTolerance: 1e-6, relTolerance: 1e-6 });
