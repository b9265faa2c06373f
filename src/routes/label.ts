/**
 * POST /v1/label: a reference program, its tests, and variants of it (each an
 * edit or a whole program) → which test killed each variant and why, or
 * whether it survived with or without its edited lines having run, plus
 * per-line summaries of the reference. What a process-supervision labeler
 * turns into line labels.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { BadRequestError } from '../errors.js';
import type { BatchItem, Submission } from '../judge/submission.js';
import { ResponseBudget } from '../judge/response-budget.js';
import { applyEdit, lineCount, wholeProgramVariant, type Variant } from '../label/edits.js';
import { lineSummaries, variantOutcome, type VariantOutcome } from '../label/outcomes.js';
import { lexicalSegmentation, parsePythonSegmentation, statementOfLine, type Segmentation } from '../label/segment.js';
import type { LanguageDefinition } from '../languages/types.js';
import {
  errorSchema,
  labelRequestSchema,
  labelResponseSchema,
  type BatchLine,
  type LabelRequest,
  type LabelResponse,
  type SubmissionResult,
} from '../schemas.js';
import { requireLanguage } from '../judge/normalize.js';
import { checkItemCount, checkJsonAnswerTests, checkUniqueIds, itemSubmission, judgeOptions, sharedProgram, type SharedProgram } from './programs.js';

type Settings = Parameters<typeof itemSubmission>[3];

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

/** The reference and every variant share the request's problem: its tests converted once, held once. */
function problemOf(body: LabelRequest, settings: Settings): SharedProgram {
  const { reference: _r, variants: _v, coverage: _c, priority: _p, cache: _k, deadlineMs: _d, ...problem } = body;
  return sharedProgram(problem, undefined, settings);
}

function programOf(problem: SharedProgram, source: string, coverage: boolean, where: string, settings: Settings): Submission {
  return itemSubmission(problem, { source, coverage }, where, settings);
}

const SEGMENTER = ['python3', '/opt/verdict/python/segment.py'];

export const labelRoutes: FastifyPluginAsyncZod = async (app) => {
  async function segment(lang: LanguageDefinition, source: string, options: { priority: 'online' | 'offline'; signal: AbortSignal }): Promise<Segmentation> {
    if (lang.id === 'python') {
      const record = await app.judge.runTool(lang, SEGMENTER, Buffer.from(source, 'utf8'), options);
      const parsed = record.exitCode === 0 ? parsePythonSegmentation(record.stdout.toString('utf8'), source) : undefined;
      if (parsed) return parsed;
    }
    return lexicalSegmentation(lang.id, source);
  }

  app.post(
    '/v1/label',
    {
      schema: {
        tags: ['judge'],
        summary: 'Label the lines of a program by how edits of them fare against its tests',
        description:
          'The reference must pass every test (else reference.status is "failed", naming the failing tests, and no variant runs). Each variant is the reference with one edit (replace, insert or delete lines) or a whole program; identical variants run once. ' +
          'Per variant: its row of the variants × tests matrix and an outcome: "killed" (the first failing test and why), "survived" (every test passed and some test ran an edited line), or "survived_not_covered" (no test ran an edited line). Per reference line: its kind, statement, the tests that ran it, and its variants\' outcomes.',
        body: labelRequestSchema,
        response: { 200: labelResponseSchema, 400: errorSchema, 413: errorSchema, 429: errorSchema, 503: errorSchema },
      },
    },
    async (request, reply): Promise<LabelResponse> => {
      const started = performance.now();
      const body = request.body;
      const language = requireLanguage(body.language);
      checkItemCount(body.variants.length, 'variants', app.config.maxBatchItems);
      checkUniqueIds(body.variants.map((v) => ({ id: v.id })));
      const clash = body.variants.findIndex((v) => v.id === 'reference');
      // "reference" names the reference program in sameAs.
      if (clash >= 0) throw new BadRequestError('VERDICT_INVALID_REQUEST', `variants.${clash}.id: "reference" is reserved for the reference program`);
      // Asking for coverage where there is none is refused by the reference's normalization.
      const coverage = body.coverage ?? language.coverage !== undefined;
      const problem = problemOf(body, app.config);
      const reference = programOf(problem, body.reference, coverage, 'reference', app.config);
      const entry = reference.ownCode.composed?.file ?? reference.entry;

      // Every variant is built and checked before anything runs.
      const built = body.variants.map((v, index) => {
        const variant: Variant = v.edit ? applyEdit(body.reference, v.edit, `variants.${index}.edit`) : wholeProgramVariant(body.reference, v.source!);
        return { spec: v, variant };
      });
      const firstBySource = new Map<string, string>();
      const unique: BatchItem[] = [];
      const sameAs = new Map<string, string>();
      built.forEach(({ spec, variant }, index) => {
        if (variant.source === body.reference) return void sameAs.set(spec.id, 'reference');
        const first = firstBySource.get(variant.source);
        if (first !== undefined) return void sameAs.set(spec.id, first);
        firstBySource.set(variant.source, spec.id);
        unique.push({ id: spec.id, submission: programOf(problem, variant.source, coverage, `variants.${index}`, app.config) });
      });

      // A label answer is always one JSON document; variants the same as another share its result.
      checkJsonAnswerTests([{ submission: reference }, ...unique], 'variants', app.config.maxJsonAnswerTests);
      const options = judgeOptions(body, reply, 'offline', app.config);
      // The reference and its segmentation run beside the variants: admitted with them, before anything runs.
      const variantRuns = app.judge.batch(unique, { ...options, alongside: 2 });

      // The reference first: a reference that fails its own tests labels nothing. A failure of
      // Verdict or Docker on it is this request's error (503, retryable), as for one submission.
      const segmentation = segment(language, body.reference, { priority: options.priority, signal: options.signal });
      // Awaited after the reference; when the reference fails first, this one's failure must
      // not go unhandled (that ends the process).
      segmentation.catch(() => undefined);
      // Only the reference's result carries outputs in this answer; the variants' rows are verdicts.
      const budget = new ResponseBudget(app.config.maxResponseBytes);
      const referenceResult = budget.trim(await app.judge.submit(reference, options));
      const failingTests = referenceResult.tests.filter((t) => t.verdict !== 'accepted').map((t) => ({ id: t.id, verdict: t.verdict }));
      const compileFailed = referenceResult.compile !== null && referenceResult.compile.status !== 'ok';
      const seg = await segmentation;
      const referenceLines = lineCount(body.reference);
      const statementIndex = statementOfLine(referenceLines, seg.statements);
      const testIds = reference.tests.map((t) => t.id);
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
          variants: built.map(({ spec, variant }) => ({ id: spec.id, ...(spec.tags ? { tags: spec.tags } : {}), status: 'not_run' as const, edit: editFacts(variant) })),
          lines: describeLines(lineSummaries(referenceLines, referenceCoverage, [])),
          statements: seg.statements,
          summary: { variants: built.length, judged: 0, killed: 0, survived: 0, survivedNotCovered: 0, error: 0, notRun: built.length, killedBy: {}, responseTruncated: budget.truncated, wallTimeMs: round(performance.now() - started) },
        };
      }

      const lines = new Map<string, BatchLine>([['reference', { type: 'item', index: -1, id: 'reference', status: 'ok', result: referenceResult }]]);
      await variantRuns.run((line) => lines.set(line.id, line));

      const summary = {
        variants: built.length,
        judged: unique.length,
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
      const variants = built.map(({ spec, variant }) => {
        const from = sameAs.get(spec.id);
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
      summary.wallTimeMs = round(performance.now() - started);
      return {
        reference: { status: 'passed', failingTests: [], result: referenceResult },
        tests: testIds,
        variants,
        lines: describeLines(lineSummaries(referenceLines, referenceCoverage, outcomes)),
        statements: seg.statements,
        summary,
      };
    },
  );
};

function editFacts(v: Variant) {
  return { removedReferenceLines: v.removedReferenceLines, addedVariantLines: v.addedVariantLines, anchorReferenceLines: v.anchorReferenceLines };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
