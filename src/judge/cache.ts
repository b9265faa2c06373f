/**
 * Results of judged submissions, kept so an identical submission (RL rollouts
 * resend the same program and tests often) is answered without a sandbox, and
 * so identical submissions in flight at once share one run.
 *
 * A result is served only once a second run of the same submission has agreed
 * with it: a program whose outcome depends on chance (unseeded randomness, the
 * clock, hash or map order) would otherwise hand its first draw to everyone
 * after it. Two runs that disagree mark the submission nondeterministic, and it
 * is judged afresh every time after.
 */
import { createHash, type Hash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { limitNames, type CacheSource, type Limits } from '../domain/vocabulary.js';
import { CancelledError } from '../errors.js';
import { findLanguage } from '../languages/registry.js';
import { compileMemoryBytes, compileWallTimeMs } from './sizing.js';
import type { JudgedResult, Submission, TestCase } from './submission.js';

/** Bumped whenever the encoding below changes, so no old key can mean something new. */
const KEY_FORMAT = 'verdict-result-key/4';

/**
 * Writes each field to the hash in a self-delimiting form: variable-length
 * fields behind their byte length, lists behind their count, numbers as
 * fixed-width float64. With the field order fixed, two different submissions
 * can never produce the same byte stream.
 */
class KeyWriter {
  private readonly hash: Hash = createHash('sha256');

  bytes(b: Uint8Array): this {
    this.count(b.length);
    this.hash.update(b);
    return this;
  }

  string(s: string): this {
    return this.bytes(Buffer.from(s, 'utf8'));
  }

  count(n: number): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(n));
    this.hash.update(b);
    return this;
  }

  number(n: number): this {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(n);
    this.hash.update(b);
    return this;
  }

  bool(v: boolean): this {
    this.hash.update(Buffer.of(v ? 1 : 0));
    return this;
  }

  /**
   * Bytes that may embed the harness marker (in any of its forms: the line, the hidden table), as
   * the pieces between their occurrences, each cut tagged with the form found there: the marker is
   * random per request, so two requests differing only in it must share a key, yet splitting
   * (rather than substituting a placeholder) keeps the encoding injective even if a program
   * happens to contain the placeholder text.
   */
  markered(b: Buffer, forms: readonly Buffer[]): this {
    if (forms.length === 0) return this.count(1).bytes(b);
    const pieces: Buffer[] = [];
    const tags: number[] = [];
    const next = forms.map((f) => b.indexOf(f));
    let from = 0;
    for (;;) {
      let tag = -1;
      for (let i = 0; i < forms.length; i++) if (next[i]! >= 0 && (tag < 0 || next[i]! < next[tag]!)) tag = i;
      if (tag < 0) break;
      const at = next[tag]!;
      pieces.push(b.subarray(from, at));
      tags.push(tag);
      from = at + forms[tag]!.length;
      // A form found inside the one just cut out is looked for again past it.
      for (let i = 0; i < forms.length; i++) if (next[i]! >= 0 && next[i]! < from) next[i] = b.indexOf(forms[i]!, from);
    }
    pieces.push(b.subarray(from));
    this.count(pieces.length);
    for (let i = 0; i < pieces.length; i++) {
      this.bytes(pieces[i]!);
      if (i < tags.length) this.count(tags[i]!);
    }
    return this;
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

/** Digests by array identity: the programs of one batch, reward or label request share one tests array, never changed after normalization. */
const testDigests = new WeakMap<readonly TestCase[], string>();

/**
 * The tests, hashed once per array however many programs hold it: a batch of 10,000 items
 * sharing 64 MiB of tests hashes 64 MiB, not 640 GiB. A digest of the same self-delimiting
 * encoding, so the key stays injective (up to SHA-256 collisions).
 */
function testsDigest(tests: readonly TestCase[]): string {
  const known = testDigests.get(tests);
  if (known !== undefined) return known;
  const w = new KeyWriter();
  w.count(tests.length);
  for (const t of tests) {
    w.string(t.id);
    w.bytes(t.stdin);
    w.bool(t.expectedStdout !== undefined);
    if (t.expectedStdout !== undefined) w.bytes(t.expectedStdout);
    w.count(t.args.length);
    for (const a of t.args) w.string(a);
    // JSON.stringify is deterministic for one parsed request body; key order is the client's, and kept.
    // It recurses: the schema bounds these values' depth (MAX_JSON_DEPTH), far inside V8's stack.
    w.string(t.call ? JSON.stringify([t.call.args, t.call.kwargs, t.call.hasExpected, t.call.expected ?? null]) : '');
  }
  const digest = w.digest();
  testDigests.set(tests, digest);
  return digest;
}

/**
 * Everything that decides a submission's result, hashed. Service settings
 * (sandbox CPUs, scratch size, response output cap) are left out: they are
 * fixed for the life of the process, and so of this in-memory cache.
 */
export function cacheKey(sub: Submission, imageId: string): string {
  const forms = [sub.marker, sub.hiddenMarker?.list, sub.hiddenMarker?.fileTag].filter((f) => f !== undefined).map((f) => Buffer.from(f, 'utf8'));
  const w = new KeyWriter();
  w.string(KEY_FORMAT);
  w.string(sub.language.id);
  w.string(imageId);
  w.string(sub.mode);
  w.bool(sub.stopOnFirstFailure);
  w.bool(sub.marker !== undefined);
  w.bool(sub.coverage);
  w.markered(Buffer.from(sub.entry, 'utf8'), forms);
  w.bool(sub.trustedTestCode !== undefined);
  w.string(sub.trustedTestCode ?? '');

  w.count(sub.files.length);
  for (const f of sub.files) {
    w.markered(Buffer.from(f.path, 'utf8'), forms);
    w.markered(f.content, forms);
  }
  w.count(sub.compileFlags.length);
  for (const flag of sub.compileFlags) w.markered(Buffer.from(flag, 'utf8'), forms);
  w.count(sub.compileOnly.length);
  for (const path of sub.compileOnly) w.markered(Buffer.from(path, 'utf8'), forms);

  w.string(testsDigest(sub.tests));
  w.string(sub.entryPoint ?? '');

  // Tolerances count even in modes that ignore them: the result's manifest echoes them.
  w.string(sub.checker.mode);
  w.number(sub.checker.absTolerance);
  w.number(sub.checker.relTolerance);

  // Every limit, named, so a limit added to the vocabulary joins the key by itself.
  w.count(limitNames.length);
  for (const name of limitNames) {
    w.string(name);
    w.number(sub.limits[name]);
  }
  return w.digest();
}

/**
 * A run that used more than this share of a limit is not cached: on a busier
 * machine (or just another run) it could land on the other side of the limit,
 * and a cache must not freeze one draw of a result that could go either way.
 */
export const NEAR_LIMIT_FRACTION = 0.5;

/** Outcomes decided by the machine's load as much as by the program. */
const LOAD_DEPENDENT: ReadonlySet<string> = new Set(['time_limit_exceeded', 'memory_limit_exceeded']);

function nearLimit(used: number, limit: number): boolean {
  return used > limit * NEAR_LIMIT_FRACTION;
}

/**
 * The memory the compile stage ran under, as the judge sets it. For a language
 * unknown here, the smaller of the two, so the check errs towards not caching.
 */
function compileMemoryLimit(language: string, limits: Limits): number {
  const compile = findLanguage(language)?.compile;
  return compile === undefined ? Math.min(limits.compileMemoryBytes, limits.memoryBytes) : compileMemoryBytes(compile, limits);
}

/** Whether a result would come out the same if judged again: only then may it be served from the cache. */
export function isCacheable(result: JudgedResult, limits: Limits): boolean {
  if (LOAD_DEPENDENT.has(result.verdict)) return false;
  const compile = result.compile;
  if (compile !== null) {
    if (LOAD_DEPENDENT.has(compile.status)) return false;
    if (
      nearLimit(compile.cpuTimeMs, limits.compileTimeMs) ||
      nearLimit(compile.wallTimeMs, compileWallTimeMs(limits)) ||
      nearLimit(compile.peakMemoryBytes, compileMemoryLimit(result.manifest.language, limits))
    ) {
      return false;
    }
  }
  for (const t of result.tests) {
    if (LOAD_DEPENDENT.has(t.verdict) || t.sandboxLost) return false;
    if (nearLimit(t.cpuTimeMs, limits.timeMs) || nearLimit(t.wallTimeMs, limits.wallTimeMs) || nearLimit(t.peakMemoryBytes, limits.memoryBytes)) {
      return false;
    }
  }
  return true;
}

/**
 * What two runs must share to agree: everything the program decided (verdicts,
 * exit statuses, signals, output, coverage, failure locations), hashed. Left out
 * are the machine's measurements (CPU and wall time, peak memory), which differ
 * on every run, and the manifest, which the cache key already fixes.
 */
export function outcomeDigest(result: JudgedResult): string {
  const facts = <T extends { cpuTimeMs?: number; wallTimeMs: number; peakMemoryBytes: number }>(m: T) => {
    const { cpuTimeMs: _c, wallTimeMs: _w, peakMemoryBytes: _p, ...rest } = m;
    return rest;
  };
  const { wallTimeMs: _w, manifest: _m, nondeterministic: _n, compile, tests, ...rest } = result;
  const outcome = [rest, compile === null ? null : facts(compile), tests.map(facts)];
  // One process builds every result, so the same facts serialize with the same key order.
  return createHash('sha256').update(JSON.stringify(outcome)).digest('hex');
}

export interface ResultCacheOptions {
  /**
   * Bytes kept at most, results awaiting confirmation and nondeterminism marks
   * included; 0 keeps none, leaving only the sharing of runs in flight.
   */
  maxBytes: number;
}

/** 'hit': from the store; 'miss': this caller ran it; 'shared': joined an identical run in flight. */
export type CacheOutcome = Exclude<CacheSource, 'off'>;

export interface CacheStats {
  entries: number;
  bytes: number;
  maxBytes: number;
}

/**
 * What the store holds for a key: a result seen once (never served: it waits
 * for a second run to agree with it), a result two runs agreed on (served as a
 * hit), or the mark of a submission whose runs disagreed (never cached again).
 */
type Entry =
  | { readonly state: 'candidate' | 'confirmed'; readonly result: JudgedResult; readonly outcome: string; readonly bytes: number }
  | { readonly state: 'nondeterministic' };

/** The budget one nondeterminism mark takes: its key and the map's bookkeeping, roughly. */
const MARK_BYTES = 256;

/** A finished run as its callers get it: the result, and whether runs of this submission were seen to disagree. */
interface Judged {
  readonly result: JudgedResult;
  readonly nondeterministic: boolean;
}

interface Flight {
  readonly controller: AbortController;
  /** Callers still waiting; at 0 the run is aborted. */
  waiters: number;
  readonly done: Promise<Judged>;
}

export class ResultCache {
  private readonly entries: LRUCache<string, Entry> | undefined;
  private readonly flights = new Map<string, Flight>();

  constructor(private readonly options: ResultCacheOptions) {
    if (!Number.isSafeInteger(options.maxBytes) || options.maxBytes < 0) {
      throw new RangeError(`maxBytes must be a non-negative integer, got ${options.maxBytes}`);
    }
    // lru-cache refuses a maxSize of 0, and "keep nothing" needs no cache at all.
    this.entries = options.maxBytes > 0 ? new LRUCache({ maxSize: options.maxBytes }) : undefined;
  }

  stats(): CacheStats {
    return { entries: this.entries?.size ?? 0, bytes: this.entries?.calculatedSize ?? 0, maxBytes: this.options.maxBytes };
  }

  /**
   * Look up or run. `run` gets an AbortSignal that aborts only when every
   * caller that joined has aborted. Returns the result, how it was obtained,
   * and whether runs of this submission were seen to disagree. Only the
   * `store` of the caller that started the run decides whether its result
   * counts towards the cache. `joined` is called when this caller waits for
   * another's run rather than starting its own.
   */
  async getOrRun(
    key: string,
    run: (signal: AbortSignal) => Promise<JudgedResult>,
    opts: { signal?: AbortSignal | undefined; store: (r: JudgedResult) => boolean; joined?: (() => void) | undefined },
  ): Promise<{ result: JudgedResult; source: CacheOutcome; nondeterministic: boolean }> {
    if (opts.signal?.aborted) throw CancelledError.from(opts.signal, 'cancelled while its submission was judged');
    const stored = this.entries?.get(key);
    // Copies out, every time: callers decorate their results, and must not decorate anyone else's.
    if (stored?.state === 'confirmed') return { result: structuredClone(stored.result), source: 'hit', nondeterministic: false };
    let flight = this.flights.get(key);
    const source: CacheOutcome = flight === undefined ? 'miss' : 'shared';
    if (flight !== undefined) opts.joined?.();
    flight ??= this.start(key, run, opts.store);
    const judged = await this.wait(key, flight, opts.signal);
    return { result: structuredClone(judged.result), source, nondeterministic: judged.nondeterministic };
  }

  private start(key: string, run: (signal: AbortSignal) => Promise<JudgedResult>, store: (r: JudgedResult) => boolean): Flight {
    const controller = new AbortController();
    // Leaving the flight table and entering the store happen in one step, so a caller
    // arriving in between can neither miss both nor join a run that has finished.
    // `run` starts a microtask later, once the flight is in the table.
    const done = Promise.resolve()
      .then(() => run(controller.signal))
      .then(
        (result) => {
          this.forget(key, flight);
          // An aborted run's result may be shaped by the abort (tests cut short): it never counts.
          const counts = !controller.signal.aborted && store(result);
          return { result, nondeterministic: counts ? this.record(key, result) : this.entries?.peek(key)?.state === 'nondeterministic' };
        },
        (err: unknown) => {
          this.forget(key, flight);
          throw err;
        },
      );
    const flight: Flight = { controller, waiters: 0, done };
    this.flights.set(key, flight);
    // Once every caller has left, nobody listens to the run's failure: it is not an unhandled one.
    flight.done.catch(() => {});
    return flight;
  }

  /**
   * Fold a run worth keeping into what is known of its key: the first becomes
   * the candidate, an agreeing second confirms it, a disagreeing one marks the
   * key nondeterministic for good (as long as the mark stays in the LRU).
   * Returns whether the key is marked.
   */
  private record(key: string, result: JudgedResult): boolean {
    if (this.entries === undefined) return false;
    const known = this.entries.get(key);
    if (known?.state === 'nondeterministic') return true;
    const outcome = outcomeDigest(result);
    if (known === undefined) {
      const bytes = Buffer.byteLength(JSON.stringify(result), 'utf8') + key.length + outcome.length;
      // lru-cache itself declines an entry larger than the whole cache.
      this.entries.set(key, { state: 'candidate', result: structuredClone(result), outcome, bytes }, { size: bytes });
      return false;
    }
    if (known.outcome !== outcome) {
      this.entries.set(key, { state: 'nondeterministic' }, { size: key.length + MARK_BYTES });
      return true;
    }
    if (known.state === 'candidate') this.entries.set(key, { ...known, state: 'confirmed' }, { size: known.bytes });
    return false;
  }

  private forget(key: string, flight: Flight): void {
    // A flight abandoned by all its callers may already have been replaced by a fresh one.
    if (this.flights.get(key) === flight) this.flights.delete(key);
  }

  private wait(key: string, flight: Flight, signal: AbortSignal | undefined): Promise<Judged> {
    flight.waiters++;
    // A caller that cannot cancel keeps the run alive for good: its count is never given back.
    if (signal === undefined) return flight.done;
    return new Promise<Judged>((resolve, reject) => {
      const onAbort = (): void => {
        reject(CancelledError.from(signal, 'cancelled while its submission was judged'));
        flight.waiters--;
        if (flight.waiters === 0) {
          // Later callers start afresh rather than join a run being torn down.
          this.forget(key, flight);
          flight.controller.abort(new CancelledError('every request waiting for this submission was cancelled'));
        }
      };
      signal.addEventListener('abort', onAbort, { once: true });
      flight.done.then(
        (judged) => {
          signal.removeEventListener('abort', onAbort);
          resolve(judged);
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(err);
        },
      );
    });
  }
}
