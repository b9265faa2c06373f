/**
 * A submission's result through the result cache: served from it, shared with an identical run
 * in flight, or judged now and offered to it. Whether the cache is used at all is the caller's
 * (`cache: false`) and the service's (no cache bytes) choice.
 */
import type { CacheSource } from '../domain/vocabulary.js';
import { CancelledError } from '../errors.js';
import type { SubmissionResult } from '../domain/results.js';
import { cacheKey, isCacheable, type ResultCache } from './cache.js';
import type { JudgedResult, Submission } from './submission.js';

export interface CacheUse {
  cache: ResultCache;
  /** The service's cache size; 0: no cache. */
  cacheBytes: number;
  observer: { cacheResult(source: CacheSource): void };
}

/**
 * `run` judges the submission (its signal aborts when nobody waits for the run any more);
 * `joined`: called when this caller waits for another's identical run rather than its own.
 */
export async function judgeCached(
  use: CacheUse,
  sub: Submission,
  imageId: string,
  run: (signal: AbortSignal | undefined) => Promise<JudgedResult>,
  options: { cache: boolean; signal?: AbortSignal | undefined },
  joined?: () => void,
): Promise<SubmissionResult> {
  if (!options.cache || use.cacheBytes === 0) {
    use.observer.cacheResult('off');
    return { ...(await run(undefined)), cache: 'off' };
  }
  const key = cacheKey(sub, imageId);
  const store = (r: JudgedResult) => isCacheable(r, sub.limits);
  let outcome;
  try {
    outcome = await use.cache.getOrRun(key, run, { signal: options.signal, store, joined });
  } catch (err) {
    // The identical run we joined belonged to a request that went away; this one still wants it.
    if (!(err instanceof CancelledError) || options.signal?.aborted) throw err;
    outcome = await use.cache.getOrRun(key, run, { signal: options.signal, store, joined });
  }
  use.observer.cacheResult(outcome.source);
  return { ...outcome.result, cache: outcome.source, ...(outcome.nondeterministic ? { nondeterministic: true } : {}) };
}
