/**
 * What a variant's run says about the lines it edited. A variant the tests kill
 * marks its edit as one that matters; a survivor whose edit the tests never
 * executed says nothing about the edit, only about the tests, so it is kept apart.
 */
import type { Verdict } from '../domain/vocabulary.js';
import type { SubmissionResult } from '../domain/results.js';
import type { Variant } from './edits.js';

export const labelOutcomes = ['killed', 'survived', 'survived_not_covered'] as const;
export type LabelOutcome = (typeof labelOutcomes)[number];

/** Named apart from vocabulary's killReasons, which say why the supervisor ended a run. */
export const killCauses = ['compile', 'runtime', 'wrong_answer', 'time', 'memory', 'output'] as const;
export type KillCause = (typeof killCauses)[number];

export type FailingVerdict = Exclude<Verdict, 'accepted' | 'skipped'>;

const causeOf: Record<FailingVerdict, KillCause> = {
  compile_error: 'compile',
  runtime_error: 'runtime',
  wrong_answer: 'wrong_answer',
  time_limit_exceeded: 'time',
  memory_limit_exceeded: 'memory',
  output_limit_exceeded: 'output',
};

export interface VariantRun {
  /** Tests in the problem's test order. */
  result: SubmissionResult;
  /** Per test id: executed line numbers of the variant's own source; undefined when coverage is not available. */
  coverage?: Record<string, number[]>;
}

export interface VariantOutcome {
  outcome: LabelOutcome;
  /** killed: the first failing test in test order, and why. */
  killedBy?: { testId: string; cause: KillCause; verdict: FailingVerdict };
  /** Whether any test executed an edited line; null when coverage is unknown. */
  covered: boolean | null;
}

function isFailing(verdict: Verdict): verdict is FailingVerdict {
  return verdict !== 'accepted' && verdict !== 'skipped';
}

function firstKill(result: SubmissionResult): VariantOutcome['killedBy'] {
  const status = result.compile?.status;
  // The judge marks every test skipped after a failed compile, so no test can name the cause.
  if (result.verdict === 'compile_error' || status === 'failed' || status === 'time_limit_exceeded' || status === 'memory_limit_exceeded') {
    return { testId: result.tests[0]?.id ?? '', cause: 'compile', verdict: 'compile_error' };
  }
  for (const test of result.tests) {
    if (isFailing(test.verdict)) return { testId: test.id, cause: causeOf[test.verdict], verdict: test.verdict };
  }
  // Not reachable from the judge; a failure no test shows must still not be labeled a survivor.
  if (isFailing(result.verdict)) return { testId: '', cause: causeOf[result.verdict], verdict: result.verdict };
  return undefined;
}

/** Whether any test executed one of `lines`; null when that cannot be known. */
function executed(lines: readonly number[], coverage: Record<string, number[]> | undefined): boolean | null {
  if (lines.length === 0) return false;
  if (coverage === undefined) return null;
  const wanted = new Set(lines);
  for (const hit of Object.values(coverage)) for (const line of hit) if (wanted.has(line)) return true;
  return false;
}

/**
 * An edit is covered when a test ran what it wrote (in the variant) or what it
 * took away (in the reference). One known hit settles it even when the other
 * side's coverage is missing; a miss counts only when both sides are known.
 */
export function editCovered(variant: Variant, variantCoverage: Record<string, number[]> | undefined, referenceCoverage: Record<string, number[]> | undefined): boolean | null {
  const added = executed(variant.addedVariantLines, variantCoverage);
  const removed = executed(variant.removedReferenceLines, referenceCoverage);
  if (added === true || removed === true) return true;
  if (added === null || removed === null) return null;
  return false;
}

export function variantOutcome(variant: Variant, run: VariantRun, referenceCoverage: Record<string, number[]> | undefined): VariantOutcome {
  const covered = editCovered(variant, run.coverage, referenceCoverage);
  const killedBy = firstKill(run.result);
  if (killedBy) return { outcome: 'killed', killedBy, covered };
  // Unknown coverage is not evidence of a blind spot: only a known miss is survived_not_covered.
  return { outcome: covered === false ? 'survived_not_covered' : 'survived', covered };
}

export interface LineSummary {
  line: number;
  /** Test ids from the reference coverage, in its key order; null when there is none. */
  executedBy: string[] | null;
  variants: number;
  killed: number;
  survived: number;
  survivedNotCovered: number;
  killedBy: Partial<Record<KillCause, number>>;
}

/** Per reference line: which tests run it and how the variants anchored on it fared. */
export function lineSummaries(
  referenceLineCount: number,
  referenceCoverage: Record<string, number[]> | undefined,
  variants: ReadonlyArray<{ variant: Variant; outcome: VariantOutcome }>,
): LineSummary[] {
  const summaries: LineSummary[] = [];
  for (let line = 1; line <= referenceLineCount; line++) {
    summaries.push({ line, executedBy: referenceCoverage ? [] : null, variants: 0, killed: 0, survived: 0, survivedNotCovered: 0, killedBy: {} });
  }
  if (referenceCoverage) {
    for (const [testId, lines] of Object.entries(referenceCoverage)) {
      for (const line of new Set(lines)) summaries[line - 1]?.executedBy?.push(testId);
    }
  }
  for (const { variant, outcome } of variants) {
    for (const line of new Set(variant.anchorReferenceLines)) {
      const s = summaries[line - 1];
      if (!s) continue;
      s.variants++;
      if (outcome.outcome === 'killed') {
        s.killed++;
        const cause = outcome.killedBy?.cause;
        if (cause) s.killedBy[cause] = (s.killedBy[cause] ?? 0) + 1;
      } else if (outcome.outcome === 'survived') s.survived++;
      else s.survivedNotCovered++;
    }
  }
  return summaries;
}
