/**
 * A reward request and its answer: model completions in, one line per completion (its
 * extraction, its reward and result) and a summary out. The HTTP contract (src/schemas.ts)
 * describes exactly these types.
 */
import type { ProblemRequest, ProgramRequest } from '../domain/requests.js';
import type { BatchItemError, NotRunReason, SubmissionResult } from '../domain/results.js';
import type { Priority } from '../domain/vocabulary.js';
import type { Extraction, ExtractionPolicy } from './extract.js';
import type { RewardPreset } from './presets.js';

/** A completion's program comes from its text: an item gives no source, files or mode of its own. */
export interface RewardItemRequest extends Partial<Omit<ProgramRequest, 'source' | 'files' | 'mode'>> {
  id: string;
  /** Raw model output; the program is extracted from it. */
  completion: string;
  /** A key of the request's problems. */
  problem?: string | undefined;
}

export interface RewardRequest {
  preset?: RewardPreset | undefined;
  extraction?: ExtractionPolicy | undefined;
  /** Problems by name, referred to by items' `problem`. */
  problems?: Record<string, ProblemRequest> | undefined;
  items: RewardItemRequest[];
  priority?: Priority | undefined;
  cache?: boolean | undefined;
  deadlineMs?: number | undefined;
}

/** How a completion's code was found, without the code. */
export type ExtractionReport = Omit<Extraction, 'code'>;

/** One completion as it is judged; every line carries its place, its id and its extraction. */
export type RewardLine =
  | { type: 'item'; index: number; id: string; extraction: ExtractionReport; status: 'ok'; reward: number; result: SubmissionResult }
  | { type: 'item'; index: number; id: string; extraction: ExtractionReport; status: 'no_code'; reward: number }
  | { type: 'item'; index: number; id: string; extraction: ExtractionReport; status: 'error'; error: BatchItemError }
  | { type: 'item'; index: number; id: string; extraction: ExtractionReport; status: 'not_run'; reason: NotRunReason };

export interface RewardSummary {
  type: 'summary';
  preset: RewardPreset;
  extraction: ExtractionPolicy;
  total: number;
  judged: number;
  noCode: number;
  error: number;
  notRun: number;
  /** Over judged and no-code completions; null when there are none. */
  meanReward: number | null;
  verdicts: Record<string, number>;
  deadlineExceeded: boolean;
  responseTruncated: boolean;
  wallTimeMs: number;
}
