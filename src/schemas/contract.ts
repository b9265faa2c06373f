/** The contract parses into the domain's own types: checked at compile time. Part of the HTTP contract (src/schemas.ts). */
import { z } from 'zod';
import { type Edit } from '../label/edits.js';
import type { LabelLine, LabelRequest, LabelResponse, LabelVariantResult, VariantRequest } from '../label/model.js';
import type { RewardItemRequest, RewardLine, RewardRequest, RewardSummary } from '../reward/model.js';
import type { CallRequest, CheckerRequest, LimitsRequest, ProblemRequest, ProgramRequest, SourceFileRequest, SubmissionRequest, TestCaseRequest } from '../domain/requests.js';
import type { BatchItemError, BatchLine, BatchSummary, CompileResult, Manifest, SubmissionResult, TestResult } from '../domain/results.js';
import { sourceFileSchema, callSchema, testCaseSchema, checkerSchema, limitsSchema, programSchema, submissionRequestSchema, problemSchema } from './program.js';
import { compileResultSchema, testResultSchema, manifestSchema, submissionResultSchema, batchItemErrorSchema, batchLineSchema, batchSummarySchema } from './results.js';
import { rewardItemSchema, rewardRequestSchema, rewardLineSchema, rewardSummarySchema } from './reward.js';
import { editSchema, variantSchema, labelRequestSchema, labelVariantSchema, labelLineSchema, labelResponseSchema } from './label.js';

/**
 * Exactly the same type, not merely assignable: a field added, dropped or made optional on one
 * side only fails to compile, so the contract and the domain model cannot drift apart.
 */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Holds<T extends true> = T;

/** What each schema parses into is the domain's own type. */
export type ContractMatchesDomain = [
  Holds<Same<z.output<typeof sourceFileSchema>, SourceFileRequest>>,
  Holds<Same<z.output<typeof callSchema>, CallRequest>>,
  Holds<Same<z.output<typeof testCaseSchema>, TestCaseRequest>>,
  Holds<Same<z.output<typeof checkerSchema>, CheckerRequest>>,
  Holds<Same<z.output<typeof limitsSchema>, LimitsRequest>>,
  Holds<Same<z.output<typeof programSchema>, ProgramRequest>>,
  Holds<Same<z.output<typeof problemSchema>, ProblemRequest>>,
  Holds<Same<z.output<typeof submissionRequestSchema>, SubmissionRequest>>,
  Holds<Same<z.output<typeof compileResultSchema>, CompileResult>>,
  Holds<Same<z.output<typeof testResultSchema>, TestResult>>,
  Holds<Same<z.output<typeof manifestSchema>, Manifest>>,
  Holds<Same<z.output<typeof submissionResultSchema>, SubmissionResult>>,
  Holds<Same<z.output<typeof batchItemErrorSchema>, BatchItemError>>,
  Holds<Same<z.output<typeof batchLineSchema>, BatchLine>>,
  Holds<Same<z.output<typeof batchSummarySchema>, BatchSummary>>,
  Holds<Same<z.output<typeof rewardItemSchema>, RewardItemRequest>>,
  Holds<Same<z.output<typeof rewardRequestSchema>, RewardRequest>>,
  Holds<Same<z.output<typeof rewardLineSchema>, RewardLine>>,
  Holds<Same<z.output<typeof rewardSummarySchema>, RewardSummary>>,
  Holds<Same<z.output<typeof editSchema>, Edit>>,
  Holds<Same<z.output<typeof variantSchema>, VariantRequest>>,
  Holds<Same<z.output<typeof labelRequestSchema>, LabelRequest>>,
  Holds<Same<z.output<typeof labelVariantSchema>, LabelVariantResult>>,
  Holds<Same<z.output<typeof labelLineSchema>, LabelLine>>,
  Holds<Same<z.output<typeof labelResponseSchema>, LabelResponse>>,
];
