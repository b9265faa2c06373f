/**
 * Judging: per program one sandbox, compile once, every test in turn through
 * the supervisor, outputs compared here, outside the sandbox. Around it: the
 * scheduler (fair slots), the warm pool, sandbox reuse within a request, and
 * the result cache.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { constants } from 'node:os';
import type { Config } from '../config.js';
import { check, type CheckerOptions } from '../domain/checkers.js';
import { classifyCompile, classifyRun, signalName } from '../domain/classify.js';
import type { CacheSource, CheckerMode, Limits, Priority, Verdict } from '../domain/vocabulary.js';
import { CancelledError, DeadlineUnreachableError, ImageMissingError, SandboxFailedError, VerdictError } from '../errors.js';
import type { VersionProbe } from '../languages/catalog.js';
import { checkFailedMarker } from '../languages/harness.js';
import type { BuildContext, LanguageDefinition } from '../languages/registry.js';
import type { ContainerEngine } from '../sandbox/docker-engine.js';
import { LABEL_INSTANCE, LABEL_JOB, LABEL_LANGUAGE, LABEL_PARENT } from '../sandbox/docker-engine.js';
import { PROTOCOL_VERSION, type RunRecord, type RunRequest } from '../sandbox/protocol.js';
import { SandboxOutOfMemory, SandboxSession } from '../sandbox/session.js';
import type { BatchLine, BatchSummary, CompileResult, SubmissionResult, TestResult } from '../schemas.js';
import { cacheKey, isCacheable, ResultCache } from './cache.js';
import { failureLocation, reportWindow, type OwnCode } from './location.js';
import { startPaced } from './paced.js';
import type { ResponseBudget } from './response-budget.js';
import { valueDifference } from '../domain/values.js';
import { WarmPool, type PoolObserver, type PoolStats } from './pool.js';
import { Scheduler, type Flow, type SchedulerStats, type Slot } from './scheduler.js';

const MiB = 1024 * 1024;

export interface SourceFile {
  path: string;
  content: Buffer;
}

export interface TestCase {
  id: string;
  stdin: Buffer;
  expectedStdout: Buffer | undefined;
  args: readonly string[];
  /** A function-call test: arguments and, when given, the expected return value (JSON). */
  call?: { args: unknown[]; kwargs: Record<string, unknown>; expected: unknown; hasExpected: boolean };
}

/** A validated request, limits resolved: what the judge runs. */
export interface Submission {
  language: LanguageDefinition;
  /** The file the program starts from, relative to the program directory. */
  entry: string;
  /** With test code: the line its trailer prints once the tests finished (see languages/harness.ts). */
  marker: string | undefined;
  /** Compiler arguments a harness adds. */
  compileFlags: readonly string[];
  files: readonly SourceFile[];
  tests: readonly TestCase[];
  checker: CheckerOptions;
  limits: Limits;
  stopOnFirstFailure: boolean;
  mode: 'run' | 'compile';
  /** What of the program is the candidate's own, for failure locations and coverage. */
  ownCode: OwnCode;
  /** Report the executed lines of the candidate's own code per test (languages with `coverage`). */
  coverage: boolean;
  /** The function call tests call (languages with `call`). */
  entryPoint: string | undefined;
  /**
   * Bytes of each test's stdout and stderr, and of the compiler's output, the answer carries;
   * default VERDICT_RESPONSE_OUTPUT_BYTES. The raw-execution drop-ins set it to the output limit:
   * their clients compare the output themselves, so a cut one would fail a right program.
   * Not in the cache key: those routes never use the cache.
   */
  returnedOutputBytes?: number;
}

export interface ImageRef {
  tag: string;
  id: string;
  version: string;
}

export interface JudgeObserver extends PoolObserver {
  stage(language: string, stage: 'queue' | 'start' | 'compile' | 'test' | 'total', seconds: number): void;
  verdict(language: string, verdict: Verdict): void;
  containers(delta: number): void;
  /** How a result was obtained (cache hit, shared run, judged). */
  cacheResult(source: CacheSource): void;
  /** Where a submission's sandbox came from. */
  sandboxSource(source: 'pool' | 'reused' | 'fresh'): void;
}

export interface JudgeStats extends SchedulerStats {
  pool: PoolStats;
  cache: { entries: number; bytes: number; maxBytes: number };
}

export interface SubmitOptions {
  priority: Priority;
  /** Fires when the client is gone: its queued work is dropped and its sandboxes killed. */
  signal?: AbortSignal | undefined;
  cache: boolean;
  /**
   * Milliseconds within which the caller needs its answer. When the expected wait for a slot plus
   * the program's own limits exceed it, submit() refuses at once (504) instead of queueing.
   * Not a batch's deadlineMs (past which work is not_run): only submit() reads it.
   */
  answerWithinMs?: number | undefined;
}

export interface BatchItem {
  id: string;
  submission: Submission;
}

type SandboxSettings = Pick<
  Config,
  | 'instanceId'
  | 'parentContainer'
  | 'scratchBytes'
  | 'scratchInodes'
  | 'sandboxCpus'
  | 'responseOutputBytes'
  | 'concurrency'
  | 'queueLimit'
  | 'poolMaxIdle'
  | 'poolWindowMs'
  | 'sandboxReuse'
  | 'cacheBytes'
>;

/** What decides whether one sandbox can stand in for another: same image, same container limits. */
interface SandboxShape {
  language: string;
  image: string;
  memoryBytes: number;
  pids: number;
  tmpBytes: number;
  shmBytes: number;
}

/** A live sandbox and the memory limit its container has now (raised after a compile). */
interface Sandbox {
  session: SandboxSession;
  key: string;
  memoryBytes: number;
  /** Where the current program got it from. */
  origin: 'pool' | 'reused' | 'fresh';
  close(): Promise<void>;
}

/**
 * Sandboxes one request keeps between its programs: a program's sandbox,
 * once reset, serves the next program of the same request while that request
 * still has programs queued; never a program of another request.
 */
class ReuseSet {
  private readonly idle = new Map<string, Sandbox[]>();
  private closed = false;

  constructor(
    private readonly flow: Flow,
    private readonly retire: (sandbox: Sandbox) => void,
  ) {}

  take(key: string): Sandbox | undefined {
    const list = this.idle.get(key);
    const sandbox = list?.pop();
    if (list?.length === 0) this.idle.delete(key);
    return sandbox;
  }

  /**
   * Keep it for the next program, or let it go when none is waiting, or when its supervisor cannot
   * hide the cgroup counters this program moved (no Landlock, e.g. under gVisor).
   */
  give(sandbox: Sandbox): void {
    if (this.closed || this.flow.queued === 0 || !sandbox.session.reusable) return this.retire(sandbox);
    const list = this.idle.get(sandbox.key) ?? [];
    list.push(sandbox);
    this.idle.set(sandbox.key, list);
  }

  close(): void {
    this.closed = true;
    for (const list of this.idle.values()) for (const s of list) this.retire(s);
    this.idle.clear();
  }
}

export class Judge {
  private readonly scheduler: Scheduler;
  readonly pool: WarmPool<Sandbox>;
  private readonly cache: ResultCache;
  /** Items of batches not yet handed to the scheduler (see startPaced). */
  private withheld = 0;
  /** Sandboxes being destroyed after their answer went out; drain and leak checks wait for them. */
  private readonly retiring = new Set<Promise<void>>();

  constructor(
    private readonly engine: ContainerEngine,
    private readonly images: { image(language: LanguageDefinition): ImageRef | undefined; refresh(probe: VersionProbe): Promise<void> },
    private readonly settings: SandboxSettings,
    private readonly observer: JudgeObserver,
  ) {
    this.scheduler = new Scheduler({
      concurrency: settings.concurrency,
      queueLimit: settings.queueLimit,
      // A request needs no more waiting programs than there are slots to keep every slot busy:
      // counting the rest would let two big batches fill the queue for everyone else.
      share: Math.min(settings.concurrency, Math.max(1, settings.queueLimit)),
      // Each paused program keeps its sandbox: with as many paused as running, the sandboxes
      // of started programs stay within twice the slots.
      maxPaused: settings.concurrency,
    });
    this.pool = new WarmPool<Sandbox>(
      { maxIdle: settings.poolMaxIdle, windowMs: settings.poolWindowMs, maxPerKind: settings.concurrency },
      observer,
    );
    this.cache = new ResultCache({ maxBytes: settings.cacheBytes });
  }

  stats(): JudgeStats {
    const scheduled = this.scheduler.stats();
    // Programs a paced batch has not handed to the scheduler yet wait all the same.
    return { ...scheduled, queued: scheduled.queued + this.withheld, pool: this.pool.stats(), cache: this.cache.stats() };
  }

  retryAfterSeconds(): number {
    return this.scheduler.retryAfterSeconds();
  }

  /** Refuses (429) unless this request's share of `programs` fits in the queue; a batch is admitted whole or not at all. */
  admit(programs: number): void {
    this.scheduler.admit(programs);
  }

  /** Judge one submission; refuses at once (429) when the queue is full, 503 when draining. */
  async submit(submission: Submission, options: SubmitOptions): Promise<SubmissionResult> {
    this.scheduler.admit(1);
    if (options.answerWithinMs !== undefined) this.checkDeadline(submission, options.priority, options.answerWithinMs);
    const flow = this.scheduler.flow(options.priority, options.signal);
    return this.judgeCached(submission, flow, undefined, options);
  }

  /**
   * Refuse (504) a submission that would likely answer after `deadlineMs`: the scheduler's expected
   * wait plus what its limits let it take (the compile's CPU limit when it compiles first, and its
   * tests' wall limits within their total). Sandbox start and the compile's wall time beyond its CPU
   * limit are left to the slack the caller's deadline has over its limits (verl's 10 s).
   */
  private checkDeadline(sub: Submission, priority: Priority, deadlineMs: number): void {
    const compileMs = sub.language.compile && (sub.language.compile.onlyAfterFailure === undefined || sub.mode === 'compile') ? sub.limits.compileTimeMs : 0;
    const testsMs = sub.mode === 'run' ? Math.min(sub.limits.totalWallTimeMs, sub.tests.length * sub.limits.wallTimeMs) : 0;
    const waitMs = this.scheduler.expectedWaitMs(priority);
    const overMs = waitMs + compileMs + testsMs - deadlineMs;
    if (overMs <= 0) return;
    throw new DeadlineUnreachableError(
      `the expected wait for a sandbox (${Math.round(waitMs)} ms) plus this program's limits (${compileMs + testsMs} ms) exceed its deadline of ${deadlineMs} ms`,
      Math.min(60, Math.max(1, Math.ceil(overMs / 1000))),
    );
  }

  /**
   * Judge many submissions as one request: admitted whole or refused whole,
   * one scheduling flow (so it shares slots fairly with other requests), its
   * sandboxes reused from one program to the next. `onItem` gets each line
   * as soon as its program is judged. The caller admits the batch first (admit()).
   */
  async batch(
    items: readonly BatchItem[],
    /**
     * `budget`: what the answer may carry of output; each line's result is trimmed to it as it is emitted.
     * `ready`: resolves when the answer's consumer can take more; no further item is queued before.
     */
    options: SubmitOptions & { deadlineMs?: number | undefined; budget?: ResponseBudget | undefined; ready?: (() => Promise<void>) | undefined },
    onItem: (line: BatchLine) => void,
  ): Promise<BatchSummary> {
    const started = performance.now();
    const deadline = options.deadlineMs !== undefined ? AbortSignal.timeout(options.deadlineMs) : undefined;
    const signals = [options.signal, deadline].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length > 0 ? AbortSignal.any(signals) : undefined;
    const flow = this.scheduler.flow(options.priority, signal);
    const reuse = this.settings.sandboxReuse ? new ReuseSet(flow, (s) => this.retire(s)) : undefined;
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
    this.withheld += withheld;
    try {
      // A slot's worth waits in the flow beyond what runs: every slot stays busy, while an answer
      // nobody reads stops the batch after what is in flight.
      await startPaced(items, this.settings.concurrency, { ready: options.ready, signal }, async ({ id, submission }, index, begun) => {
        withheld--;
        this.withheld--;
        try {
          const result = await this.judgeCached(submission, flow, reuse, { ...options, signal }, begun);
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
      this.withheld -= withheld;
      reuse?.close();
    }
    summary.responseTruncated = options.budget?.truncated ?? false;
    summary.wallTimeMs = round(performance.now() - started);
    return summary;
  }

  /** Stop taking work, wait for what is queued or running, then let every sandbox go. */
  async drain(): Promise<void> {
    await this.scheduler.drain();
    await this.pool.close();
    await this.settle();
  }

  /** Resolves when no sandbox is being started for the pool or destroyed. */
  async settle(): Promise<void> {
    await this.pool.settle();
    while (this.retiring.size > 0) await Promise.allSettled([...this.retiring]);
  }

  /** Keep one sandbox warm per language at the default limits from boot. */
  prewarm(language: LanguageDefinition, limits: Limits): void {
    const image = this.images.image(language);
    if (!image) return;
    const shape = this.shape(language, image, limits);
    this.pool.prewarm(JSON.stringify(shape), () => this.openSandbox(shape, JSON.stringify(shape)), 1);
  }

  /** `begun`: called once it waits for no slot of its own: its run got one, or it joined an identical run. */
  private async judgeCached(sub: Submission, flow: Flow, reuse: ReuseSet | undefined, options: SubmitOptions, begun?: () => void): Promise<SubmissionResult> {
    const image = await this.imageFor(sub.language);
    const enqueued = performance.now();
    const run = (signal: AbortSignal | undefined) =>
      flow.run((taskSignal, slot) => {
        begun?.();
        this.observer.stage(sub.language.id, 'queue', (performance.now() - enqueued) / 1000);
        return this.judge(sub, image, signal ? AbortSignal.any([signal, taskSignal]) : taskSignal, reuse, slot);
      });
    if (!options.cache || this.settings.cacheBytes === 0) {
      this.observer.cacheResult('off');
      return { ...(await run(undefined)), cache: 'off' };
    }
    const key = cacheKey(sub, image.id);
    const store = (r: JudgedResult) => isCacheable(r, sub.limits);
    let outcome;
    try {
      outcome = await this.cache.getOrRun(key, run, { signal: options.signal, store, joined: begun });
    } catch (err) {
      // The identical run we joined belonged to a request that went away; this one still wants it.
      if (!(err instanceof CancelledError) || options.signal?.aborted) throw err;
      outcome = await this.cache.getOrRun(key, run, { signal: options.signal, store, joined: begun });
    }
    this.observer.cacheResult(outcome.source);
    return { ...outcome.result, cache: outcome.source, ...(outcome.nondeterministic ? { nondeterministic: true } : {}) };
  }

  private shape(lang: LanguageDefinition, image: { tag: string }, limits: Limits): SandboxShape {
    const compileMemory = lang.compile?.memory === 'compile' ? Math.max(limits.compileMemoryBytes, limits.memoryBytes) : limits.memoryBytes;
    return {
      language: lang.id,
      image: image.tag,
      memoryBytes: this.containerMemory(compileMemory, limits.outputBytes),
      // The supervisor is one more process in the container's pid count.
      pids: limits.processes + 1,
      // Scratch files are memory too: kept well below the program's limit, so what a killed
      // program leaves there can never starve the supervisor of the container's slack.
      tmpBytes: Math.max(MiB, Math.min(this.settings.scratchBytes, Math.floor(limits.memoryBytes / 2))),
      shmBytes: Math.max(MiB, Math.min(16 * MiB, Math.floor(limits.memoryBytes / 4))),
    };
  }

  /**
   * A sandbox for one program: one this request used before (reset to a new
   * uid and an empty program directory), a warm one, or a new one.
   */
  private async acquire(shape: SandboxShape, reuse: ReuseSet | undefined): Promise<Sandbox> {
    const key = JSON.stringify(shape);
    const reused = reuse?.take(key);
    if (reused) {
      try {
        await reused.session.reset(randomCandidateUid());
        if (reused.memoryBytes !== shape.memoryBytes) {
          await reused.session.setMemory(shape.memoryBytes);
          reused.memoryBytes = shape.memoryBytes;
        }
        this.observer.sandboxSource('reused');
        reused.origin = 'reused';
        return reused;
      } catch {
        // Whatever broke it, a new sandbox is the answer; the program has not run yet.
        this.retire(reused);
      }
    }
    const warm = this.pool.take(key, () => this.openSandbox(shape, key));
    if (warm) {
      this.observer.sandboxSource('pool');
      warm.origin = 'pool';
      return warm;
    }
    this.observer.sandboxSource('fresh');
    return this.openSandbox(shape, key);
  }

  private async openSandbox(shape: SandboxShape, key: string): Promise<Sandbox> {
    const t0 = performance.now();
    const session = await SandboxSession.open(this.engine, {
      image: shape.image,
      memoryBytes: shape.memoryBytes,
      pids: shape.pids,
      cpus: this.settings.sandboxCpus,
      boxBytes: this.settings.scratchBytes,
      tmpBytes: shape.tmpBytes,
      shmBytes: shape.shmBytes,
      inodes: this.settings.scratchInodes,
      candidateUid: randomCandidateUid(),
      labels: {
        [LABEL_INSTANCE]: this.settings.instanceId,
        [LABEL_JOB]: randomUUID(),
        [LABEL_LANGUAGE]: shape.language,
        ...(this.settings.parentContainer ? { [LABEL_PARENT]: this.settings.parentContainer } : {}),
      },
    });
    this.observer.containers(1);
    this.observer.stage(shape.language, 'start', (performance.now() - t0) / 1000);
    let closing: Promise<void> | undefined;
    return {
      session,
      key,
      memoryBytes: shape.memoryBytes,
      origin: 'fresh',
      close: () => {
        closing ??= session.close().finally(() => this.observer.containers(-1));
        return closing;
      },
    };
  }

  /** Destroy in the background: the answer need not wait for Docker to remove a container. */
  private retire(sandbox: Sandbox): void {
    const p = sandbox.close().catch(() => undefined);
    this.retiring.add(p);
    void p.finally(() => this.retiring.delete(p));
  }

  private async judge(sub: Submission, image: ImageRef, signal: AbortSignal, reuse: ReuseSet | undefined, slot: Slot): Promise<JudgedResult> {
    if (signal.aborted) throw CancelledError.from(signal, 'judging stopped');
    const started = performance.now();
    const lang = sub.language;
    const runMemory = this.containerMemory(sub.limits.memoryBytes, sub.limits.outputBytes);
    const shape = this.shape(lang, image, sub.limits);
    let sandbox = await this.acquire(shape, reuse);
    // A client gone or a deadline passed: kill the container, which ends whatever step is waiting on it.
    const kill = () => this.retire(sandbox);
    signal.addEventListener('abort', kill, { once: true });
    let reusable = false;
    try {
      try {
        for (const file of sub.files) await sandbox.session.writeFile(file.path, file.content);
      } catch (err) {
        // A warm or reused sandbox can have died while it waited (Docker restarted, its stream cut).
        // Nothing of the program ran yet, so a new sandbox is a clean second try.
        if (sandbox.origin === 'fresh' || signal.aborted) throw err;
        this.retire(sandbox);
        sandbox = await this.openSandbox(shape, sandbox.key);
        this.observer.sandboxSource('fresh');
        if (signal.aborted) throw CancelledError.from(signal, 'judging stopped');
        for (const file of sub.files) await sandbox.session.writeFile(file.path, file.content);
      }
      const session = sandbox.session;

      const ctx: BuildContext = {
        entry: sub.entry,
        entrySource: sub.files.find((f) => f.path === sub.entry)?.content.toString('utf8') ?? '',
        sources: sub.files.map((f) => f.path).filter((p) => lang.sourcePattern.test(p)),
        memoryBytes: sub.limits.memoryBytes,
        cpus: this.settings.sandboxCpus,
      };
      let compile: CompileResult | null = null;
      // The sandbox died with a step (its OOM killer took the supervisor) or could not be wiped after
      // one: that step's result stands, nothing more runs in it, and it is never handed on.
      let lost = false;
      const compileStep = lang.compile;
      const deferred = compileStep?.onlyAfterFailure !== undefined && sub.mode === 'run';
      const runCompile = async (phase: 'compile' | 'test') => {
        const t0 = performance.now();
        const record = await this.runOrOutOfMemory(session, {
          // After a test the program directory is sealed; a deferred check only reads it.
          phase,
          argv: [...compileStep!.argv(ctx), ...sub.compileFlags, ...(sub.coverage ? (lang.coverage?.compileFlags ?? []) : [])],
          env: lang.env(ctx),
          stdin: Buffer.alloc(0),
          cpuTimeMs: sub.limits.compileTimeMs,
          wallTimeMs: sub.limits.compileTimeMs * 2,
          outputBytes: this.returnedBytes(sub),
          killOnOutput: false,
          fileSizeBytes: this.settings.scratchBytes,
          openFiles: 1024,
          stackBytes: 256 * MiB,
        });
        const compileMemory = compileStep!.memory === 'compile' ? Math.max(sub.limits.compileMemoryBytes, sub.limits.memoryBytes) : sub.limits.memoryBytes;
        this.observer.stage(lang.id, 'compile', (performance.now() - t0) / 1000);
        if (record.sandboxLost) lost = true;
        return { record, result: this.compileResult(record, { cpuTimeMs: sub.limits.compileTimeMs, memoryBytes: compileMemory }, this.returnedBytes(sub)) };
      };
      if (compileStep && !deferred) {
        const { record, result } = await runCompile('compile');
        compile = result;
        if (compile.status === 'ok' && compileStep.memory === 'compile' && sub.mode === 'run' && !lost) {
          // What the compiler left in the program directory stays for every test: it is the
          // sandbox's memory, not the program's, so it is added rather than charged to the limit.
          sandbox.memoryBytes = runMemory + record.boxBytes;
          await session.setMemory(sandbox.memoryBytes);
        }
      }

      let compiled = compile === null || compile.status === 'ok';
      let tests: TestResult[] = [];
      // The tests' wall time ran out (limits.totalWallTimeMs): the candidate's doing, so a verdict.
      let budgetExhausted = false;
      if (sub.mode === 'run') {
        let stop = !compiled || lost;
        let budgetMs = sub.limits.totalWallTimeMs;
        // Whether a step ran in this sandbox since the slot was granted.
        let stepped = compile !== null;
        for (const test of sub.tests) {
          if (!stop && budgetMs <= 0) stop = budgetExhausted = true;
          if (stop) {
            tests.push(skipped(test.id));
            continue;
          }
          // Between two steps the slot goes to a request waiting for one, so a program of many slow
          // tests delays others by one test; the sandbox stays this program's meanwhile.
          if (stepped) await slot.yield();
          stepped = true;
          // No test may run past what is left of the budget: the last one gets the rest.
          const cut = budgetMs < sub.limits.wallTimeMs;
          const within = cut ? { ...sub, limits: { ...sub.limits, wallTimeMs: budgetMs } } : sub;
          const t0 = performance.now();
          const { result, suspected } = await this.runTest(session, within, ctx, test, deferred && compile === null ? compileStep?.onlyAfterFailure : undefined);
          this.observer.stage(lang.id, 'test', (performance.now() - t0) / 1000);
          budgetMs -= result.wallTimeMs;
          // Killed on the shortened wall limit, not its own CPU limit: the budget ended it.
          if (budgetMs <= 0 || (cut && result.verdict === 'time_limit_exceeded' && result.cpuTimeMs < sub.limits.timeMs)) budgetExhausted = true;
          // The program may not have been a program at all: now the check is worth its start-up.
          if (suspected && !result.sandboxLost) {
            compile = (await runCompile('test')).result;
            if (compile.status !== 'ok') {
              compiled = false;
              tests = sub.tests.map((t) => skipped(t.id));
              // Not a program: whatever it spent of the budget, its verdict is the compile error.
              budgetExhausted = false;
              break;
            }
          }
          tests.push(result);
          if (budgetExhausted) stop = true;
          if (result.verdict !== 'accepted' && sub.stopOnFirstFailure) stop = true;
          // The sandbox did not survive the test (or the syntax check after it): nothing left to run in.
          if (result.sandboxLost) lost = true;
          if (lost) stop = true;
        }
      }
      reusable = !lost;
      // A sandbox killed for a client gone or a deadline passed looks spent too: that is no verdict.
      if (signal.aborted) throw CancelledError.from(signal, 'judging stopped');

      // Skipped tests follow a failure, a compile error, the end of the budget or a lost sandbox: never
      // the verdict themselves. Tests a lost sandbox left unrun are no pass: the program made its
      // sandbox unusable (or its memory killed the supervisor), a runtime error when nothing failed.
      const firstFailure = tests.find((t) => t.verdict !== 'accepted' && t.verdict !== 'skipped');
      const unrun = lost && tests.some((t) => t.verdict === 'skipped');
      const verdict: Verdict = !compiled
        ? 'compile_error'
        : (firstFailure?.verdict ?? (budgetExhausted ? 'time_limit_exceeded' : unrun ? 'runtime_error' : 'accepted'));
      this.observer.verdict(lang.id, verdict);
      const wallTimeMs = performance.now() - started;
      this.observer.stage(lang.id, 'total', wallTimeMs / 1000);
      return {
        verdict,
        passed: tests.filter((t) => t.verdict === 'accepted').length,
        total: tests.length,
        compile,
        tests,
        manifest: {
          language: lang.id,
          languageVersion: image.version,
          image: image.tag,
          imageId: image.id,
          limits: sub.limits,
          checker: sub.checker,
          supervisorProtocol: PROTOCOL_VERSION,
          instanceId: this.settings.instanceId,
        },
        wallTimeMs: round(wallTimeMs),
        ...(budgetExhausted ? { budgetExhausted: true as const } : {}),
      };
    } catch (err) {
      if (signal.aborted) throw CancelledError.from(signal, 'judging stopped');
      throw err;
    } finally {
      signal.removeEventListener('abort', kill);
      if (reusable && reuse && !signal.aborted) reuse.give(sandbox);
      else this.retire(sandbox);
    }
  }

  /**
   * The language's image; when it is not known, look again: Docker may have
   * come back, or the image been built since (and an unreachable engine
   * surfaces here as DockerUnavailableError rather than a missing image).
   */
  private async imageFor(lang: LanguageDefinition): Promise<ImageRef> {
    let image = this.images.image(lang);
    if (!image) {
      await this.images.refresh((l, i, argv) => this.probe(l, i, argv));
      image = this.images.image(lang);
    }
    if (!image) throw new ImageMissingError(`the ${lang.id} sandbox image is not built (npm run images builds it)`);
    return image;
  }

  /**
   * One trusted command of the language's image (a parser, not a program) in a
   * sandbox, scheduled like any program: for line segmentation.
   */
  async runTool(lang: LanguageDefinition, argv: readonly string[], stdin: Buffer, options: Omit<SubmitOptions, 'cache'>): Promise<RunRecord> {
    this.scheduler.admit(1);
    const image = await this.imageFor(lang);
    const flow = this.scheduler.flow(options.priority, options.signal);
    return flow.run(async (signal) => {
      const shape = this.shape(lang, image, this.toolLimits);
      const sandbox = await this.acquire(shape, undefined);
      const kill = () => this.retire(sandbox);
      signal.addEventListener('abort', kill, { once: true });
      try {
        return await this.run(sandbox.session, {
          phase: 'test',
          argv,
          env: lang.env({ entry: lang.sourceFile, entrySource: '', sources: [], memoryBytes: this.toolLimits.memoryBytes, cpus: this.settings.sandboxCpus }),
          stdin,
          cpuTimeMs: this.toolLimits.timeMs,
          wallTimeMs: this.toolLimits.wallTimeMs,
          outputBytes: this.toolLimits.outputBytes,
          killOnOutput: true,
          fileSizeBytes: MiB,
          openFiles: 64,
          stackBytes: 64 * MiB,
        });
      } catch (err) {
        if (signal.aborted) throw CancelledError.from(signal, 'judging stopped');
        throw err;
      } finally {
        signal.removeEventListener('abort', kill);
        this.retire(sandbox);
      }
    });
  }

  private readonly toolLimits: Limits = {
    compileTimeMs: 10_000,
    compileMemoryBytes: 256 * MiB,
    timeMs: 10_000,
    wallTimeMs: 20_000,
    memoryBytes: 256 * MiB,
    outputBytes: 16 * MiB,
    processes: 8,
    // One run: its own wall limit bounds it.
    totalWallTimeMs: 20_000,
  };

  /** Run one command in a fresh sandbox of the language's image (toolchain version probes). */
  async probe(lang: LanguageDefinition, image: { tag: string }, argv: readonly string[]): Promise<RunRecord> {
    const shape: SandboxShape = {
      language: lang.id,
      image: image.tag,
      memoryBytes: this.containerMemory(256 * MiB, MiB),
      pids: 33,
      tmpBytes: 128 * MiB,
      shmBytes: 16 * MiB,
    };
    const sandbox = await this.openSandbox(shape, JSON.stringify(shape));
    try {
      return await this.run(sandbox.session, {
        phase: 'test',
        argv,
        env: lang.env({ entry: lang.sourceFile, entrySource: '', sources: [], memoryBytes: 256 * MiB, cpus: this.settings.sandboxCpus }),
        stdin: Buffer.alloc(0),
        cpuTimeMs: 5000,
        wallTimeMs: 10_000,
        outputBytes: 64 * 1024,
        killOnOutput: false,
        fileSizeBytes: MiB,
        openFiles: 256,
        stackBytes: 8 * MiB,
      });
    } finally {
      await sandbox.close();
    }
  }

  /**
   * Room for the supervisor beside the program: its two capture buffers and its
   * own few MiB. The program's share is judged against the limit itself.
   */
  private containerMemory(programBytes: number, outputBytes: number): number {
    return programBytes + 2 * outputBytes + 16 * MiB;
  }

  private async run(session: SandboxSession, request: RunRequest): Promise<RunRecord> {
    const record = await session.run(request);
    // The command the image promises could not start: a broken image, not a broken program.
    if (record.reason === 'exec' || record.reason === 'setup') {
      throw new SandboxFailedError(`the sandbox could not start ${JSON.stringify(request.argv[0])} (${record.reason}, errno ${record.execErrno})`);
    }
    return record;
  }

  /**
   * A run whose sandbox the OOM killer took: a record of a memory-killed run,
   * marked so the judge stops using the dead sandbox. A run reported but not
   * wiped after (session.spent) keeps its own record, marked the same way.
   */
  private async runOrOutOfMemory(session: SandboxSession, request: RunRequest): Promise<RunRecord & { sandboxLost?: true }> {
    try {
      const record = await this.run(session, request);
      return session.spent ? { ...record, sandboxLost: true } : record;
    } catch (err) {
      if (!(err instanceof SandboxOutOfMemory)) throw err;
      return {
        exitCode: null,
        signal: constants.signals.SIGKILL,
        cpuTimeMs: 0,
        wallTimeMs: 0,
        peakMemoryBytes: 0,
        oomKills: 1,
        reason: 'none',
        execErrno: 0,
        boxBytes: 0,
        stdout: Buffer.alloc(0),
        stdoutTruncated: false,
        stderr: Buffer.alloc(0),
        stderrTruncated: false,
        sandboxLost: true,
      };
    }
  }

  /**
   * The test's result, and whether its stderr matches `suspect`: in the head and tail of all that
   * was captured (reportWindow), not only in what the answer shows.
   */
  private async runTest(
    session: SandboxSession,
    sub: Submission,
    ctx: BuildContext,
    test: TestCase,
    suspect?: RegExp,
  ): Promise<{ result: TestResult; suspected: boolean }> {
    const caller = test.call && sub.entryPoint !== undefined ? sub.language.call : undefined;
    // A call test's runner traces by itself; a program run is traced by the language's tracer.
    const tracer = sub.coverage && !caller ? sub.language.coverage : undefined;
    const coverageMarker = tracer ? `verdict-coverage-${randomUUID()}` : undefined;
    const callMarker = caller ? `verdict-call-${randomUUID()}` : undefined;
    const argv = caller ? caller.argv(ctx, sub.entryPoint!) : [...(tracer ? tracer.argv(ctx) : sub.language.run.argv(ctx)), ...test.args];
    const stdin = caller ? Buffer.from(JSON.stringify({ marker: callMarker, args: test.call!.args, kwargs: test.call!.kwargs, coverage: sub.coverage }), 'utf8') : test.stdin;
    const record = await this.runOrOutOfMemory(session, {
      phase: 'test',
      argv,
      env: tracer ? { ...sub.language.env(ctx), [tracer.markerEnv]: coverageMarker! } : sub.language.env(ctx),
      stdin,
      cpuTimeMs: sub.limits.timeMs,
      wallTimeMs: sub.limits.wallTimeMs,
      outputBytes: sub.limits.outputBytes,
      killOnOutput: true,
      fileSizeBytes: this.settings.scratchBytes,
      openFiles: 1024,
      // Below the memory limit, so runaway recursion ends as a stack overflow (runtime_error).
      stackBytes: Math.max(8 * MiB, Math.floor((sub.limits.memoryBytes * 3) / 4)),
    });
    let verdict: Verdict | undefined = classifyRun(record, { cpuTimeMs: sub.limits.timeMs, memoryBytes: sub.limits.memoryBytes });
    let checkerMessage: string | undefined;
    let harnessCompleted: boolean | undefined;
    // The tracer reports last, after the harness trailer: take its block off first.
    let coverage: Record<string, number[]> | null | undefined;
    if (coverageMarker !== undefined) {
      const taken = takeCoverage(record.stdout, coverageMarker, sub.ownCode, tracer!.fromReport);
      coverage = taken.coverage;
      record.stdout = taken.stdout;
    }
    let returned: CallReport | undefined;
    if (callMarker !== undefined) {
      const taken = takeCallReport(record.stdout, callMarker);
      returned = taken.report;
      record.stdout = taken.stdout;
      if (returned?.coverage !== undefined) coverage = ownLines(returned.coverage, sub.ownCode);
      else if (sub.coverage) coverage = null;
    }
    if (sub.marker !== undefined) {
      const found = stripMarker(record.stdout, sub.marker);
      harnessCompleted = found.present;
      record.stdout = found.stdout;
      // Exiting 0 before the test code finished is not passing it.
      if (verdict === undefined && !found.present) verdict = 'runtime_error';
      const failed = stripMarker(record.stdout, checkFailedMarker(sub.marker));
      record.stdout = failed.stdout;
      // The test code's own check failed (the trailer saw where, see harness.ts): the same bug's
      // verdict under stdin or call tests. Limits, decided first, keep theirs.
      if (verdict === 'runtime_error' && failed.present) {
        verdict = 'wrong_answer';
        checkerMessage = 'a check of the test code failed (see stderr)';
      }
    }
    if (verdict === undefined && callMarker !== undefined) {
      // No report: the program ended the process before its function returned (exit(0) included).
      if (!returned) verdict = 'runtime_error';
      else if (!returned.ok) {
        verdict = 'wrong_answer';
        checkerMessage = returned.error;
      } else if (test.call!.hasExpected) {
        const tolerance = sub.checker.mode === 'float' ? { absTolerance: sub.checker.absTolerance, relTolerance: sub.checker.relTolerance } : {};
        const where = valueDifference(returned.value, test.call!.expected, tolerance);
        verdict = where === undefined ? 'accepted' : 'wrong_answer';
        if (where !== undefined) checkerMessage = `returned ${clipJson(returned.value)}, expected ${clipJson(test.call!.expected)} (they differ at ${where})`;
      } else verdict = 'accepted';
    }
    if (verdict === undefined) {
      if (test.expectedStdout === undefined) {
        verdict = 'accepted';
      } else {
        const checked = await check(record.stdout, test.expectedStdout, sub.checker);
        verdict = checked.ok ? 'accepted' : 'wrong_answer';
        checkerMessage = checked.message;
      }
    }
    const limit = this.returnedBytes(sub);
    const stderr = verdict === 'runtime_error' ? reportWindow(record.stderr) : '';
    // A long traceback can push the error's name past what the answer shows; the capture may even have overflowed.
    const suspected = suspect !== undefined && verdict === 'runtime_error' && (record.stderrTruncated || suspect.test(stderr));
    const failure = verdict === 'runtime_error' ? failureLocation(sub.language.id, stderr, sub.ownCode) : undefined;
    const result: TestResult = {
      id: test.id,
      verdict,
      exitCode: record.exitCode,
      signal: signalName(record.signal),
      cpuTimeMs: round(record.cpuTimeMs),
      wallTimeMs: round(record.wallTimeMs),
      peakMemoryBytes: record.peakMemoryBytes,
      stdout: decode(record.stdout, limit),
      stdoutTruncated: record.stdoutTruncated || record.stdout.length > limit,
      stderr: decode(record.stderr, limit),
      stderrTruncated: record.stderrTruncated || record.stderr.length > limit,
      ...(checkerMessage ? { checkerMessage } : {}),
      ...(harnessCompleted !== undefined ? { harnessCompleted } : {}),
      ...(failure ? { failure } : {}),
      ...(coverage !== undefined ? { coverage } : {}),
      ...(record.sandboxLost ? { sandboxLost: true as const } : {}),
    };
    return { result, suspected };
  }

  private returnedBytes(sub: Submission): number {
    return sub.returnedOutputBytes ?? this.settings.responseOutputBytes;
  }

  private compileResult(record: RunRecord, limits: { cpuTimeMs: number; memoryBytes: number }, returnedBytes: number): CompileResult {
    const output = Buffer.concat([record.stdout, record.stderr]);
    return {
      status: classifyCompile(record, limits),
      exitCode: record.exitCode,
      signal: signalName(record.signal),
      output: decode(output, returnedBytes),
      outputTruncated: record.stdoutTruncated || record.stderrTruncated || output.length > returnedBytes,
      cpuTimeMs: round(record.cpuTimeMs),
      wallTimeMs: round(record.wallTimeMs),
      peakMemoryBytes: record.peakMemoryBytes,
    };
  }
}

/** A result as judged, before the cache says how it was obtained. */
export type JudgedResult = Omit<SubmissionResult, 'cache'>;

/** A uid no other live sandbox is likely to share (per-user kernel limits are host-wide). */
function randomCandidateUid(): number {
  return randomInt(100_000, 2_000_000_000);
}

function skipped(id: string): TestResult {
  return {
    id,
    verdict: 'skipped',
    exitCode: null,
    signal: null,
    cpuTimeMs: 0,
    wallTimeMs: 0,
    peakMemoryBytes: 0,
    stdout: '',
    stdoutTruncated: false,
    stderr: '',
    stderrTruncated: false,
  };
}

/**
 * The tracer's report: "\n<marker>\n" + one JSON line, at the very end of stdout. Lines are kept
 * for the candidate's own code only (not the composed test code). null when the program ended
 * without it (os._exit, a kill) or it does not parse.
 */
function takeCoverage(
  stdout: Buffer,
  marker: string,
  own: OwnCode,
  fromReport: ((report: unknown) => Record<string, number[]> | undefined) | undefined,
): { coverage: Record<string, number[]> | null; stdout: Buffer } {
  const taken = takeReport(stdout, marker);
  if (taken.report === undefined) return { coverage: null, stdout: taken.stdout };
  const files = fromReport ? fromReport(taken.report) : (taken.report as { coverage?: unknown }).coverage;
  return { coverage: files !== undefined ? ownLines(files, own) : null, stdout: taken.stdout };
}

/** stdout around the last "\n<marker>\n": what came before it and what came after; undefined without one. */
function splitAtMarker(stdout: Buffer, marker: string): { before: Buffer; after: Buffer } | undefined {
  const needle = Buffer.from(`\n${marker}\n`, 'latin1');
  const at = stdout.lastIndexOf(needle);
  return at < 0 ? undefined : { before: stdout.subarray(0, at), after: stdout.subarray(at + needle.length) };
}

/** A runner's report: "\n<marker>\n" + one JSON line at the end of stdout, taken out of it. */
function takeReport(stdout: Buffer, marker: string): { report: unknown; stdout: Buffer } {
  const split = splitAtMarker(stdout, marker);
  if (!split) return { report: undefined, stdout };
  try {
    return { report: JSON.parse(split.after.toString('utf8')) as unknown, stdout: split.before };
  } catch {
    return { report: undefined, stdout: split.before };
  }
}

/** Executed lines of the candidate's own code only: its files, and of a composed file only its first lines. */
function ownLines(reported: unknown, own: OwnCode): Record<string, number[]> | null {
  if (reported === null || typeof reported !== 'object') return null;
  const coverage: Record<string, number[]> = {};
  for (const file of own.files) {
    const lines = (reported as Record<string, unknown>)[file];
    if (!Array.isArray(lines)) continue;
    const limit = own.composed?.file === file ? own.composed.lines : Infinity;
    coverage[file] = lines.filter((n): n is number => Number.isInteger(n) && n >= 1 && n <= limit).sort((a, b) => a - b);
  }
  return coverage;
}

interface CallReport {
  ok: boolean;
  value?: unknown;
  error?: string;
  coverage?: unknown;
}

function takeCallReport(stdout: Buffer, marker: string): { report: CallReport | undefined; stdout: Buffer } {
  const taken = takeReport(stdout, marker);
  const r = taken.report as CallReport | undefined;
  const valid = r !== null && typeof r === 'object' && typeof r.ok === 'boolean';
  return { report: valid ? r : undefined, stdout: taken.stdout };
}

function clipJson(value: unknown, max = 200): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** The trailer writes "\n<marker>\n"; take it out so the checker and the client see the program's own output. */
function stripMarker(stdout: Buffer, marker: string): { present: boolean; stdout: Buffer } {
  const split = splitAtMarker(stdout, marker);
  return split ? { present: true, stdout: Buffer.concat([split.before, split.after]) } : { present: false, stdout };
}

function decode(bytes: Buffer, limit: number): string {
  return bytes.subarray(0, limit).toString('utf8');
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

export const defaultChecker = (mode: CheckerMode = 'lines'): CheckerOptions => ({ mode, absTolerance: 1e-6, relTolerance: 1e-6 });
