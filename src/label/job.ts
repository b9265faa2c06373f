/**
 * Labeling as a job: a reference program, its tests and variants of it (each an edit or a whole
 * program) → which test killed each variant and why, or whether it survived with or without its
 * edited lines having run, plus per-line summaries of the reference. What a process-supervision
 * labeler turns into line labels.
 *
 * Two steps, so every variant is built and checked before anything runs: prepareLabelJob (a bad
 * variant is a 400 before any sandbox starts), then runLabelJob. Between them the caller may
 * refuse the job by its size and admit its programs to the judge's queue.
 */
import { BadRequestError } from '../errors.js';
import type { Judge } from '../judge/judge.js';
import type { BatchItem, Submission, SubmitOptions } from '../judge/submission.js';
import { ResponseBudget } from '../judge/response-budget.js';
import type { BatchLine, JudgeLines, SubmissionResult } from '../domain/results.js';
import type { Priority } from '../domain/vocabulary.js';
import type { LanguageDefinition } from '../languages/types.js';
import { applyEdit, lineCount, wholeProgramVariant, type Variant } from './edits.js';
import type { EditFacts, LabelRequest, LabelResponse, VariantRequest } from './model.js';
import { lineSummaries, variantOutcome, type VariantOutcome } from './outcomes.js';
import { lexicalSegmentation, parsePythonSegmentation, statementOfLine, type Segmentation } from './segment.js';

/** What labeling asks of the judge itself; the variants' batch comes ready to run (JudgeLines). */
export type LabelJudge = Pick<Judge, 'submit' | 'runTool'>;

/** The fields of a label request that the reference and every variant share. */
export type LabelProblem = Omit<LabelRequest, 'reference' | 'variants' | 'coverage' | 'priority' | 'cache' | 'deadlineMs'>;

/** One program of the problem: `source`, with or without coverage; a 400 names it by `where` ("variants.3"). */
export type ProgramOf = (source: string, coverage: boolean, where: string) => Submission;

/** A label request built and checked, ready to run. */
export interface LabelJob {
  /** The reference's submission, run first: a reference that fails its own tests labels nothing. */
  reference: Submission;
  /** The distinct variants, one program each: identical variants run once. */
  programs: BatchItem[];
  language: LanguageDefinition;
  referenceSource: string;
  coverage: boolean;
  /** The file whose lines are labeled: the candidate's own code within the composed program. */
  entry: string;
  variants: Array<{ spec: VariantRequest; variant: Variant }>;
  /** Per variant id: the id of the program whose result it shares ("reference" when the edit changed nothing). */
  sameAs: Map<string, string>;
  /** When preparation began: the answer's wallTimeMs counts from here. */
  startedMs: number;
}

export interface LabelDeps {
  judge: LabelJudge;
  /** VERDICT_MAX_RESPONSE_BYTES: what the reference's result may carry of output. */
  maxResponseBytes: number;
}

/**
 * Builds the reference and every variant. `programsOf` turns the request's problem into a
 * builder of its programs: the caller's validation of a program and its tests, done once.
 */
export function prepareLabelJob(request: LabelRequest, language: LanguageDefinition, programsOf: (problem: LabelProblem) => ProgramOf): LabelJob {
  const startedMs = performance.now();
  const clash = request.variants.findIndex((v) => v.id === 'reference');
  // "reference" names the reference program in sameAs.
  if (clash >= 0) throw new BadRequestError('VERDICT_INVALID_REQUEST', `variants.${clash}.id: "reference" is reserved for the reference program`);
  // Asking for coverage where there is none is refused by the reference's normalization.
  const coverage = request.coverage ?? language.coverage !== undefined;
  const { reference: referenceSource, variants: specs, coverage: _c, priority: _p, cache: _k, deadlineMs: _d, ...problem } = request;
  const programOf = programsOf(problem);
  const reference = programOf(referenceSource, coverage, 'reference');
  const entry = reference.ownCode.composed?.file ?? reference.entry;

  const variants = specs.map((spec, index) => {
    const variant: Variant = spec.edit ? applyEdit(referenceSource, spec.edit, `variants.${index}.edit`) : wholeProgramVariant(referenceSource, spec.source!);
    return { spec, variant };
  });
  const firstBySource = new Map<string, string>();
  const programs: BatchItem[] = [];
  const sameAs = new Map<string, string>();
  variants.forEach(({ spec, variant }, index) => {
    if (variant.source === referenceSource) return void sameAs.set(spec.id, 'reference');
    const first = firstBySource.get(variant.source);
    if (first !== undefined) return void sameAs.set(spec.id, first);
    firstBySource.set(variant.source, spec.id);
    programs.push({ id: spec.id, submission: programOf(variant.source, coverage, `variants.${index}`) });
  });
  return { reference, programs, language, referenceSource, coverage, entry, variants, sameAs, startedMs };
}

/**
 * Runs the reference, then (when it passes) every distinct variant through `judgeVariants`
 * (job.programs, admitted with the reference and its segmentation), and labels the reference's lines.
 */
export async function runLabelJob(deps: LabelDeps, job: LabelJob, options: SubmitOptions, judgeVariants: JudgeLines): Promise<LabelResponse> {
  const { judge } = deps;
  const { language, coverage, entry } = job;
  // The reference first: a reference that fails its own tests labels nothing. A failure of
  // Verdict or Docker on it is this request's error (503, retryable), as for one submission.
  const segmentation = segment(judge, language, job.referenceSource, { priority: options.priority, signal: options.signal });
  // Awaited after the reference; when the reference fails first, this one's failure must
  // not go unhandled (that ends the process).
  segmentation.catch(() => undefined);
  // Only the reference's result carries outputs in this answer; the variants' rows are verdicts.
  const budget = new ResponseBudget(deps.maxResponseBytes);
  const referenceResult = budget.trim(await judge.submit(job.reference, options));
  const failingTests = referenceResult.tests.filter((t) => t.verdict !== 'accepted').map((t) => ({ id: t.id, verdict: t.verdict }));
  const compileFailed = referenceResult.compile !== null && referenceResult.compile.status !== 'ok';
  const seg = await segmentation;
  const referenceLines = lineCount(job.referenceSource);
  const statementIndex = statementOfLine(referenceLines, seg.statements);
  const testIds = job.reference.tests.map((t) => t.id);
  const referenceCoverage = coverage ? coverageByTest(referenceResult, entry) : undefined;

  const describeLines = (summaries: ReturnType<typeof lineSummaries>) =>
    summaries.map((s) => ({
      line: s.line,
      kind: seg.kinds[s.line - 1] ?? 'code',
      statement: statementIndex[s.line - 1] ?? null,
      executedBy: s.executedBy,
      variants: s.variants,
      killed: s.killed,
      survived: s.survived,
      survivedNotCovered: s.survivedNotCovered,
      killedBy: s.killedBy,
    }));

  if (referenceResult.verdict !== 'accepted' || compileFailed) {
    return {
      reference: { status: 'failed', failingTests, result: referenceResult },
      tests: testIds,
      variants: job.variants.map(({ spec, variant }) => ({ id: spec.id, ...(spec.tags ? { tags: spec.tags } : {}), status: 'not_run' as const, edit: editFacts(variant) })),
      lines: describeLines(lineSummaries(referenceLines, referenceCoverage, [])),
      statements: seg.statements,
      summary: {
        variants: job.variants.length,
        judged: 0,
        killed: 0,
        survived: 0,
        survivedNotCovered: 0,
        error: 0,
        notRun: job.variants.length,
        killedBy: {},
        responseTruncated: budget.truncated,
        wallTimeMs: round(performance.now() - job.startedMs),
      },
    };
  }

  const lines = new Map<string, BatchLine>([['reference', { type: 'item', index: -1, id: 'reference', status: 'ok', result: referenceResult }]]);
  await judgeVariants((line) => lines.set(line.id, line));

  const summary = {
    variants: job.variants.length,
    judged: job.programs.length,
    killed: 0,
    survived: 0,
    survivedNotCovered: 0,
    error: 0,
    notRun: 0,
    killedBy: {} as Record<string, number>,
    responseTruncated: budget.truncated,
    wallTimeMs: 0,
  };
  const outcomes: Array<{ variant: Variant; outcome: VariantOutcome }> = [];
  const variants = job.variants.map(({ spec, variant }) => {
    const from = job.sameAs.get(spec.id);
    const line = lines.get(from ?? spec.id)!;
    const base = { id: spec.id, ...(spec.tags ? { tags: spec.tags } : {}), ...(from ? { sameAs: from } : {}), edit: editFacts(variant) };
    if (line.status === 'not_run') {
      summary.notRun++;
      return { ...base, status: 'not_run' as const };
    }
    if (line.status === 'error') {
      summary.error++;
      return { ...base, status: 'error' as const, error: line.error };
    }
    const result = line.result;
    let outcome = variantOutcome(variant, { result, ...(coverage ? { coverage: coverageByTest(result, entry) } : {}) }, referenceCoverage);
    // A tracer that misses lines which ran (gcov at -O2) can confirm coverage, never deny it.
    if (outcome.covered === false && !language.coverage?.complete) {
      outcome = { ...outcome, covered: null, ...(outcome.outcome === 'survived_not_covered' ? { outcome: 'survived' as const } : {}) };
    }
    outcomes.push({ variant, outcome });
    if (outcome.outcome === 'killed') {
      summary.killed++;
      const cause = outcome.killedBy!.cause;
      summary.killedBy[cause] = (summary.killedBy[cause] ?? 0) + 1;
    } else if (outcome.outcome === 'survived') summary.survived++;
    else summary.survivedNotCovered++;
    return {
      ...base,
      status: 'ok' as const,
      outcome: outcome.outcome,
      ...(outcome.killedBy ? { killedBy: outcome.killedBy } : {}),
      covered: outcome.covered,
      verdict: result.verdict,
      compileStatus: result.compile?.status ?? null,
      tests: result.tests.map((t) => ({ id: t.id, verdict: t.verdict, ...(t.failure ? { failure: t.failure } : {}) })),
    };
  });
  summary.wallTimeMs = round(performance.now() - job.startedMs);
  return {
    reference: { status: 'passed', failingTests: [], result: referenceResult },
    tests: testIds,
    variants,
    lines: describeLines(lineSummaries(referenceLines, referenceCoverage, outcomes)),
    statements: seg.statements,
    summary,
  };
}

/** Line kinds and statements of the reference: Python's own parser where it answers, else a lexical scan. */
async function segment(judge: LabelJudge, lang: LanguageDefinition, source: string, options: { priority: Priority; signal: AbortSignal | undefined }): Promise<Segmentation> {
  // A parser-based segmenter in the language's image (Python's ast); the lexical pass otherwise, or when it fails.
  if (lang.segmenter) {
    const record = await judge.runTool(lang, lang.segmenter.argv, Buffer.from(source, 'utf8'), options);
    const parsed = record.exitCode === 0 ? parsePythonSegmentation(record.stdout.toString('utf8'), source) : undefined;
    if (parsed) return parsed;
  }
  return lexicalSegmentation(lang.id, source);
}

/** Per test id, the executed lines of the program's entry file; undefined when any test's run did not report. */
function coverageByTest(result: SubmissionResult, file: string): Record<string, number[]> | undefined {
  // No prototype: a test id is request text, and "__proto__" must be a key like any other.
  const out: Record<string, number[]> = Object.create(null);
  for (const t of result.tests) {
    if (t.verdict === 'skipped') continue;
    const lines = t.coverage?.[file];
    if (!lines) return undefined;
    out[t.id] = lines;
  }
  return out;
}

function editFacts(v: Variant): EditFacts {
  return { removedReferenceLines: v.removedReferenceLines, addedVariantLines: v.addedVariantLines, anchorReferenceLines: v.anchorReferenceLines };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
