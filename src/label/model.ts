/**
 * A labeling request and its answer: a reference program, its tests and variants of it in;
 * per variant its outcome and row of the variants × tests matrix, per reference line what its
 * variants did, out. The HTTP contract (src/schemas.ts) describes exactly these types.
 */
import type { CheckerRequest, LimitsRequest, TestCaseRequest } from '../domain/requests.js';
import type { BatchItemError, SubmissionResult, TestFailure } from '../domain/results.js';
import type { CompileStatus, Priority, Verdict } from '../domain/vocabulary.js';
import type { Edit } from './edits.js';
import type { KillCause, LabelOutcome } from './outcomes.js';
import type { LineKind, Statement } from './segment.js';

/** A client's own label on a variant, echoed back. */
export type LabelTag = string | number | boolean | null;

/** One variant: the reference with one edit, or a whole program. */
export interface VariantRequest {
  id: string;
  tags?: Record<string, LabelTag> | undefined;
  edit?: Edit | undefined;
  source?: string | undefined;
}

export interface LabelRequest {
  language: string;
  /** The correct program every variant edits; it must pass every test. */
  reference: string;
  tests?: TestCaseRequest[] | undefined;
  testCode?: string | undefined;
  checker?: CheckerRequest | undefined;
  limits?: LimitsRequest | undefined;
  entryPoint?: string | undefined;
  variants: VariantRequest[];
  /** Default: where the language supports it. */
  coverage?: boolean | undefined;
  /** Default "offline": labeling yields to reward calls. */
  priority?: Priority | undefined;
  cache?: boolean | undefined;
  deadlineMs?: number | undefined;
}

/** What an edit changed, in reference and variant line numbers (see edits.ts's Variant). */
export interface EditFacts {
  removedReferenceLines: number[];
  addedVariantLines: number[];
  anchorReferenceLines: number[];
}

export interface LabelVariantResult {
  id: string;
  tags?: Record<string, LabelTag> | undefined;
  /** "error": Verdict or Docker failed for this variant (retry it); "not_run": past the deadline. */
  status: 'ok' | 'error' | 'not_run';
  outcome?: LabelOutcome | undefined;
  /** killed: the first failing test in test order and why. */
  killedBy?: { testId: string; cause: KillCause; verdict: Verdict } | undefined;
  /** Whether any test executed an edited line; null when coverage is unknown. */
  covered?: boolean | null | undefined;
  /** Judged once for an identical earlier variant (this id), or "reference" when the edit changed nothing. */
  sameAs?: string | undefined;
  edit: EditFacts;
  verdict?: Verdict | undefined;
  compileStatus?: CompileStatus | null | undefined;
  /** This variant's row of the variants × tests matrix. */
  tests?: Array<{ id: string; verdict: Verdict; failure?: TestFailure | undefined }> | undefined;
  error?: BatchItemError | undefined;
}

/** Per reference line: its kind, its statement, the tests that ran it and what its variants did. */
export interface LabelLine {
  line: number;
  kind: LineKind;
  /** Index into the answer's statements of the innermost statement spanning this line. */
  statement: number | null;
  /** Tests whose run of the reference executed this line; null without coverage. */
  executedBy: string[] | null;
  variants: number;
  killed: number;
  survived: number;
  survivedNotCovered: number;
  killedBy: Record<string, number>;
}

export interface LabelSummary {
  variants: number;
  /** Distinct programs run (identical variants run once). */
  judged: number;
  killed: number;
  survived: number;
  survivedNotCovered: number;
  error: number;
  notRun: number;
  killedBy: Record<string, number>;
  /** The response budget ran out: the reference result's outputs were cut. */
  responseTruncated: boolean;
  wallTimeMs: number;
}

export interface LabelResponse {
  reference: {
    /** "failed": the reference does not pass its tests, so no variant was run. */
    status: 'passed' | 'failed';
    failingTests: Array<{ id: string; verdict: Verdict }>;
    result: SubmissionResult;
  };
  /** Test ids: the columns of every variant's row. */
  tests: string[];
  variants: LabelVariantResult[];
  lines: LabelLine[];
  /** Statement spans by the language's own parser (Python); null for other languages. */
  statements: Statement[] | null;
  summary: LabelSummary;
}
