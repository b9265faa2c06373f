/**
 * Many programs as one request: its items handed to the scheduler a few at a time as the answer is
 * taken (paced.ts), each answered by a line as soon as it is judged, the items past the batch's
 * deadline not_run, and a summary of them all.
 */
import { VerdictError } from '../errors.js';
import type { BatchLine, BatchSummary, SubmissionResult } from '../domain/results.js';
import { roundMs } from './evaluate.js';
import { startPaced } from './paced.js';
import type { BatchItem, BatchOptions, Submission } from './submission.js';

/** A batch admitted whole: judging it may start once, now or later (admission reserves nothing). */
export interface AdmittedBatch {
  /**
   * Judge every item; `onItem` gets each line as soon as its program is judged. `ready` resolves
   * when the answer's consumer can take more; no further item is queued before.
   */
  run(onItem: (line: BatchLine) => void, ready?: () => Promise<void>): Promise<BatchSummary>;
}

/** What judging a batch needs of the judge. */
export interface BatchJudging {
  /** Items waiting for a slot in the batch's flow at most, beyond what runs. */
  window: number;
  /** Items not yet handed to the scheduler changed by `delta`: they wait all the same. */
  withhold(delta: number): void;
  /**
   * The batch's flow, aborted by `signal` (the client gone, or the deadline): `judge` judges an
   * item in it, `close` lets go of what the batch kept between its programs.
   */
  open(signal: AbortSignal | undefined): { judge(sub: Submission, begun: () => void): Promise<SubmissionResult>; close(): void };
}

export async function judgeBatch(
  items: readonly BatchItem[],
  options: BatchOptions,
  onItem: (line: BatchLine) => void,
  ready: (() => Promise<void>) | undefined,
  judging: BatchJudging,
): Promise<BatchSummary> {
  const started = performance.now();
  const deadline = options.deadlineMs !== undefined ? AbortSignal.timeout(options.deadlineMs) : undefined;
  const signals = [options.signal, deadline].filter((s): s is AbortSignal => s !== undefined);
  const signal = signals.length > 0 ? AbortSignal.any(signals) : undefined;
  const flow = judging.open(signal);
  const summary: BatchSummary = {
    type: 'summary',
    total: items.length,
    ok: 0,
    error: 0,
    notRun: 0,
    verdicts: {},
    cacheHits: 0,
    deadlineExceeded: false,
    responseTruncated: false,
    wallTimeMs: 0,
  };
  let withheld = items.length;
  judging.withhold(withheld);
  try {
    // A slot's worth waits in the flow beyond what runs: every slot stays busy, while an answer
    // nobody reads stops the batch after what is in flight.
    await startPaced(items, judging.window, { ready, signal }, async ({ id, submission }, index, begun) => {
      withheld--;
      judging.withhold(-1);
      try {
        const result = await flow.judge(submission, begun);
        summary.ok++;
        summary.verdicts[result.verdict] = (summary.verdicts[result.verdict] ?? 0) + 1;
        if (result.cache === 'hit') summary.cacheHits++;
        onItem({ type: 'item', index, id, status: 'ok', result: options.budget ? options.budget.trim(result) : result });
      } catch (err) {
        if (deadline?.aborted && !options.signal?.aborted) {
          summary.notRun++;
          summary.deadlineExceeded = true;
          onItem({ type: 'item', index, id, status: 'not_run', reason: 'deadline' });
          return;
        }
        summary.error++;
        const error =
          err instanceof VerdictError
            ? { code: err.code, message: err.message, retryable: err.retryable }
            : { code: 'VERDICT_INTERNAL', message: 'internal error', retryable: true };
        onItem({ type: 'item', index, id, status: 'error', error });
      }
    });
  } finally {
    judging.withhold(-withheld);
    flow.close();
  }
  summary.responseTruncated = options.budget?.truncated ?? false;
  summary.wallTimeMs = roundMs(performance.now() - started);
  return summary;
}
