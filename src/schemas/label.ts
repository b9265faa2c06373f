/** Labels: a reference program, its variants, and what each variant's tests did. Part of the HTTP contract (src/schemas.ts). */
import { z } from 'zod';
import { MAX_DEADLINE_MS } from '../domain/limits.js';
import { compileStatuses, verdicts } from '../domain/vocabulary.js';
import { editOps } from '../label/edits.js';
import { killCauses, labelOutcomes } from '../label/outcomes.js';
import { MAX_TEXT, prioritySchema, cacheFlagSchema, programFields } from './program.js';
import { testResultSchema, submissionResultSchema, batchItemErrorSchema } from './results.js';

const labelTag = z.union([z.string().max(1024), z.number(), z.boolean(), z.null()]);

export const editSchema = z
  .object({
    op: z.enum(editOps),
    startLine: z.number().int().describe('1-based; insert puts text before this line (line count + 1 appends)'),
    endLine: z.number().int().optional().describe('Inclusive; replace and delete, default startLine'),
    text: z.string().max(MAX_TEXT).optional().describe('The new lines (replace, insert)'),
  })
  .strict();

export const variantSchema = z
  .object({
    id: z.string().min(1).max(256),
    tags: z.record(z.string().max(128), labelTag).optional().describe('Echoed back: the client\'s own labels (line, kind, model, …)'),
    edit: editSchema.optional(),
    source: z.string().max(MAX_TEXT).optional().describe('A whole program instead of an edit; diffed against the reference by lines'),
  })
  .strict()
  .refine((v) => (v.edit === undefined) !== (v.source === undefined), { message: 'give exactly one of "edit" or "source"', path: ['edit'] });

export const labelRequestSchema = z
  .object({
    language: programFields.language,
    reference: z.string().max(MAX_TEXT).describe('The correct program every variant edits; it must pass every test'),
    tests: programFields.tests,
    testCode: programFields.testCode,
    checker: programFields.checker,
    limits: programFields.limits,
    entryPoint: programFields.entryPoint,
    variants: z.array(variantSchema).max(100_000),
    coverage: z
      .boolean()
      .optional()
      .describe('Trace executed lines to tell survived from survived_not_covered; default true where the language supports it (Python, C, C++; for C and C++ coverage can confirm an edit ran but never deny it)'),
    priority: prioritySchema.optional().describe('Default "offline": labeling yields to reward calls'),
    cache: cacheFlagSchema.optional(),
    deadlineMs: z.number().int().positive().max(MAX_DEADLINE_MS).optional(),
  })
  .strict();

const labelTestSchema = z.object({ id: z.string(), verdict: z.enum(verdicts), failure: testResultSchema.shape.failure });

export const labelVariantSchema = z.object({
  id: z.string(),
  tags: z.record(z.string(), labelTag).optional(),
  status: z.enum(['ok', 'error', 'not_run']).describe('"error": Verdict or Docker failed for this variant (retry it); "not_run": past the deadline'),
  outcome: z.enum(labelOutcomes).optional(),
  killedBy: z
    .object({ testId: z.string(), cause: z.enum(killCauses), verdict: z.enum(verdicts) })
    .optional()
    .describe('killed: the first failing test in test order and why'),
  covered: z.boolean().nullable().optional().describe('Whether any test executed an edited line; null when coverage is unknown'),
  sameAs: z.string().optional().describe('Judged once for an identical earlier variant (this id), or "reference" when the edit changed nothing'),
  edit: z.object({
    removedReferenceLines: z.array(z.number().int()),
    addedVariantLines: z.array(z.number().int()),
    anchorReferenceLines: z.array(z.number().int()),
  }),
  verdict: z.enum(verdicts).optional(),
  compileStatus: z.enum(compileStatuses).nullable().optional(),
  tests: z.array(labelTestSchema).optional().describe('This variant\'s row of the variants × tests matrix'),
  error: batchItemErrorSchema.optional(),
});

export const labelLineSchema = z.object({
  line: z.number().int(),
  kind: z.enum(['blank', 'comment', 'code']),
  statement: z.number().int().nullable().describe('Index into "statements" of the innermost statement spanning this line'),
  executedBy: z.array(z.string()).nullable().describe('Tests whose run of the reference executed this line; null without coverage'),
  variants: z.number().int(),
  killed: z.number().int(),
  survived: z.number().int(),
  survivedNotCovered: z.number().int(),
  killedBy: z.record(z.string(), z.number().int()),
});

export const labelResponseSchema = z.object({
  reference: z.object({
    status: z.enum(['passed', 'failed']).describe('"failed": the reference does not pass its tests, so no variant was run'),
    failingTests: z.array(z.object({ id: z.string(), verdict: z.enum(verdicts) })),
    result: submissionResultSchema,
  }),
  tests: z.array(z.string()).describe('Test ids: the columns of every variant\'s row'),
  variants: z.array(labelVariantSchema),
  lines: z.array(labelLineSchema).describe('Per line of the reference: its kind, its statement, the tests that ran it and what its variants did'),
  statements: z
    .array(z.object({ startLine: z.number().int(), endLine: z.number().int(), type: z.string(), depth: z.number().int() }))
    .nullable()
    .describe("Statement spans by the language's own parser (Python); null for other languages"),
  summary: z.object({
    variants: z.number().int(),
    judged: z.number().int().describe('Distinct programs run (identical variants run once)'),
    killed: z.number().int(),
    survived: z.number().int(),
    survivedNotCovered: z.number().int(),
    error: z.number().int(),
    notRun: z.number().int(),
    killedBy: z.record(z.string(), z.number().int()),
    responseTruncated: z.boolean().describe('The response budget (VERDICT_MAX_RESPONSE_BYTES) ran out: the reference result\'s outputs were cut'),
    wallTimeMs: z.number(),
  }),
});
