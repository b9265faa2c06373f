/**
 * The HTTP contract. These zod schemas validate requests, type the handlers
 * and generate openapi/openapi.json.
 */
export * from './schemas/program.js';
export * from './schemas/results.js';
export * from './schemas/reward.js';
export * from './schemas/label.js';
export * from './schemas/service.js';
export type { ContractMatchesDomain } from './schemas/contract.js';

// The types of what the contract describes are the domain's own (checked in schemas/contract.ts).
export type { LabelResponse } from './label/model.js';
export type { RewardLine, RewardSummary } from './reward/model.js';
export type { ProgramRequest, SubmissionRequest } from './domain/requests.js';
export type { BatchLine, BatchSummary, CompileResult, SubmissionResult, TestResult } from './domain/results.js';
