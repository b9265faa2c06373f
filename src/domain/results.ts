/**
 * What judging answers: one submission's result, its compile stage and tests, and a batch's
 * lines and summary. Plain types, so the judge, labeling and rewards read results without the
 * HTTP contract; src/schemas.ts describes exactly these to clients (checked at compile time).
 */
import type { CacheSource, CheckerMode, CompileStatus, LimitName, Verdict } from './vocabulary.js';

export interface CompileResult {
  status: CompileStatus;
  exitCode: number | null;
  signal: string | null;
  /** The compiler's stdout and stderr, capped. */
  output: string;
  outputTruncated: boolean;
  cpuTimeMs: number;
  wallTimeMs: number;
  peakMemoryBytes: number;
}

/** A runtime_error's exception or panic and where it was raised: a hint for labelers, never an input to the verdict. */
export interface TestFailure {
  exceptionType: string | null;
  message: string | null;
  file: string | null;
  /** Innermost frame in the candidate's own lines; null when none is on the stack. */
  line: number | null;
}

export interface TestResult {
  id: string;
  verdict: Verdict;
  exitCode: number | null;
  /** Name of the signal that ended the program, e.g. SIGSEGV. */
  signal: string | null;
  cpuTimeMs: number;
  wallTimeMs: number;
  peakMemoryBytes: number;
  stdout: string;
  stdoutTruncated: boolean;
  stderr: string;
  stderrTruncated: boolean;
  /** For wrong_answer: where the output differs. */
  checkerMessage?: string | undefined;
  /** With test code or a Go test file: whether the test code ran to its end. */
  harnessCompleted?: boolean | undefined;
  failure?: TestFailure | undefined;
  /** Executed line numbers per file of the candidate's own code; null when the program ended before the tracer reported. */
  coverage?: Record<string, number[]> | null | undefined;
  /** The sandbox did not survive this test (see the contract's description). */
  sandboxLost?: boolean | undefined;
}

/** What a result was judged with: enough to reproduce it. */
export interface Manifest {
  language: string;
  languageVersion: string;
  image: string;
  imageId: string;
  limits: Record<LimitName, number>;
  checker: { mode: CheckerMode; absTolerance: number; relTolerance: number };
  supervisorProtocol: number;
  instanceId: string;
}

export interface SubmissionResult {
  verdict: Verdict;
  passed: number;
  total: number;
  /** null when no compile step ran. */
  compile: CompileResult | null;
  tests: TestResult[];
  manifest: Manifest;
  /** The whole submission, queueing excluded. */
  wallTimeMs: number;
  /** The tests used up limits.totalWallTimeMs. */
  budgetExhausted?: boolean | undefined;
  /** The request's response budget ran out: outputs of this result were cut or emptied. */
  responseTruncated?: boolean | undefined;
  cache: CacheSource;
  /** Runs of this very submission were seen to disagree. */
  nondeterministic?: boolean | undefined;
}

/** Verdict or Docker failed for one item: not a verdict; retry it. */
export interface BatchItemError {
  code: string;
  message: string;
  retryable: boolean;
}

/** Why an item was not judged: past the request's deadline. */
export type NotRunReason = 'deadline';

/** One item of a batch as it is judged. */
export type BatchLine =
  | { type: 'item'; index: number; id: string; status: 'ok'; result: SubmissionResult }
  | { type: 'item'; index: number; id: string; status: 'error'; error: BatchItemError }
  | { type: 'item'; index: number; id: string; status: 'not_run'; reason: NotRunReason };

/**
 * A batch being judged: each item's line goes to `onLine` as its program is judged, and the
 * summary comes last. Whoever holds the judge admits the batch and starts it; the jobs that
 * read its lines (labeling, rewards) need no more of the judge than this.
 */
export type JudgeLines = (onLine: (line: BatchLine) => void) => Promise<BatchSummary>;

export interface BatchSummary {
  type: 'summary';
  total: number;
  ok: number;
  error: number;
  notRun: number;
  /** Items judged, by overall verdict. */
  verdicts: Record<string, number>;
  cacheHits: number;
  deadlineExceeded: boolean;
  /** The response budget ran out: some results' outputs were cut. */
  responseTruncated: boolean;
  wallTimeMs: number;
}
