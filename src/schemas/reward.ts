/** Rewards: completions in, one reward per completion out. Part of the HTTP contract (src/schemas.ts). */
import { z } from 'zod';
import { MAX_DEADLINE_MS } from '../domain/limits.js';
import { verdicts } from '../domain/vocabulary.js';
import { extractionPolicies, extractionPolicyDescriptions } from '../reward/extract.js';
import { rewardPresetDescriptions, rewardPresets } from '../reward/presets.js';
import { MAX_TEXT, prioritySchema, cacheFlagSchema, programFields, problemSchema } from './program.js';
import { submissionResultSchema, batchItemErrorSchema } from './results.js';

const describeAll = (descriptions: Record<string, string>) =>
  Object.entries(descriptions)
    .map(([k, v]) => `"${k}": ${v}`)
    .join('; ');

const { source: _source, files: _files, mode: _mode, ...rewardProgramFields } = programFields;

export const rewardItemSchema = z
  .object({
    id: z.string().min(1).max(256).describe("The client's id for this completion, echoed on its line"),
    completion: z.string().max(MAX_TEXT).describe('Raw model output; the program is extracted from it'),
    problem: z.string().min(1).max(256).optional().describe('A key of "problems"'),
    ...rewardProgramFields,
  })
  .partial({ language: true })
  .strict();

export const rewardRequestSchema = z
  .object({
    preset: z.enum(rewardPresets).optional().describe(`How a verdict becomes a number; default "binary". ${describeAll(rewardPresetDescriptions)}`),
    extraction: z
      .enum(extractionPolicies)
      .optional()
      .describe(`Which code of a completion is judged; default "last_block". ${describeAll(extractionPolicyDescriptions)}`),
    problems: z
      .record(z.string().min(1).max(256), problemSchema)
      .optional()
      .describe('Problems by name (language, tests, testCode, limits…), referred to by items\' "problem"'),
    items: z.array(rewardItemSchema).min(1),
    priority: prioritySchema.optional(),
    cache: cacheFlagSchema.optional(),
    deadlineMs: z.number().int().positive().max(MAX_DEADLINE_MS).optional().describe('As in /v1/batch: past it, what is not judged is not_run'),
  })
  .strict();

const extractionSchema = z.object({
  policy: z.enum(extractionPolicies),
  blocksFound: z.number().int(),
  blocksUsed: z.number().int(),
  reasoningRemoved: z.boolean(),
});

const rewardLineBase = { type: z.literal('item'), index: z.number().int(), id: z.string(), extraction: extractionSchema };
export const rewardLineSchema = z.discriminatedUnion('status', [
  z.object({ ...rewardLineBase, status: z.literal('ok'), reward: z.number(), result: submissionResultSchema }),
  z.object({ ...rewardLineBase, status: z.literal('no_code'), reward: z.number().describe("The preset's value for a completion without code") }),
  z.object({
    ...rewardLineBase,
    status: z.literal('error'),
    error: batchItemErrorSchema.describe('Verdict or Docker failed: no reward; retry this completion'),
  }),
  z.object({ ...rewardLineBase, status: z.literal('not_run'), reason: z.enum(['deadline']) }),
]);

export const rewardSummarySchema = z.object({
  type: z.literal('summary'),
  preset: z.enum(rewardPresets),
  extraction: z.enum(extractionPolicies),
  total: z.number().int(),
  judged: z.number().int(),
  noCode: z.number().int(),
  error: z.number().int(),
  notRun: z.number().int(),
  meanReward: z.number().nullable().describe('Over judged and no-code completions; null when there are none'),
  verdicts: z.record(z.string(), z.number().int()),
  deadlineExceeded: z.boolean(),
  responseTruncated: z.boolean().describe('The response budget (VERDICT_MAX_RESPONSE_BYTES) ran out: some results\' outputs were cut, each such result marked responseTruncated'),
  wallTimeMs: z.number(),
});

export const rewardJsonResponseSchema = z.object({ items: z.array(rewardLineSchema).describe('In request order'), summary: rewardSummarySchema });
