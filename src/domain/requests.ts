/**
 * What a client asks to judge: one program and its tests, as the HTTP contract (src/schemas.ts)
 * validates it into exactly these types (checked at compile time). The judge's normalization
 * (judge/normalize.ts) turns one into a Submission.
 */
import type { CheckerMode, LimitName, Priority } from './vocabulary.js';

export interface SourceFileRequest {
  path: string;
  content: string;
}

/** A function-call test's arguments, as JSON. */
export interface CallRequest {
  args: unknown[];
  /** Keyword arguments (Python). */
  kwargs?: Record<string, unknown> | undefined;
}

export interface TestCaseRequest {
  /** Defaults to the 1-based position. */
  id?: string | undefined;
  call?: CallRequest | undefined;
  /** With `call`: the expected return value. */
  expected?: unknown;
  stdin?: string | undefined;
  /** Omitted: the test passes when the program exits 0. */
  expectedStdout?: string | undefined;
  args?: string[] | undefined;
}

export type CheckerRequest = CheckerMode | { mode: CheckerMode; absTolerance?: number | undefined; relTolerance?: number | undefined };

export type LimitsRequest = { [name in LimitName]?: number | undefined };

/** One program and its tests. */
export interface ProgramRequest {
  language: string;
  source?: string | undefined;
  files?: SourceFileRequest[] | undefined;
  tests?: TestCaseRequest[] | undefined;
  checker?: CheckerRequest | undefined;
  limits?: LimitsRequest | undefined;
  stopOnFirstFailure?: boolean | undefined;
  mode?: 'run' | 'compile' | undefined;
  testCode?: string | undefined;
  entryPoint?: string | undefined;
  coverage?: boolean | undefined;
}

/** What many programs of one request share; an item's own fields override these. */
export type ProblemRequest = Partial<ProgramRequest>;

export interface SubmissionRequest extends ProgramRequest {
  priority?: Priority | undefined;
  cache?: boolean | undefined;
}
