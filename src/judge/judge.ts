/**
 * Judging, as the routes see it: per program one sandbox, compile once, every test in turn
 * through the supervisor, outputs compared here, outside the sandbox (pipeline.ts). Around it:
 * admission and fair slots (scheduler.ts), where sandboxes come from (provider.ts), and the
 * result cache (cache.ts). Every entry point admits its own work: a caller never asks the queue.
 */
import type { Config } from '../config.js';
import type { CacheSource, Limits, Priority } from '../domain/vocabulary.js';
import { DeadlineUnreachableError, ImageMissingError } from '../errors.js';
import type { VersionProbe } from '../languages/catalog.js';
import type { LanguageDefinition } from '../languages/types.js';
import type { ContainerEngine } from '../sandbox/docker-engine.js';
import type { RunRecord } from '../sandbox/protocol.js';
import type { BatchLine, BatchSummary, SubmissionResult } from '../domain/results.js';
import { judgeBatch, type AdmittedBatch } from './batch.js';
import { ResultCache } from './cache.js';
import { judgeCached, type CacheUse } from './cached.js';
import { compilesFirst } from './evaluate.js';
import { Pipeline, type PipelineObserver } from './pipeline.js';
import type { PoolStats } from './pool.js';
import { SandboxProvider, type ProviderObserver, type ReuseSet } from './provider.js';
import { Scheduler, type Flow, type SchedulerStats } from './scheduler.js';
import { sandboxShape } from './sizing.js';
import type { BatchItem, BatchOptions, ImageRef, Submission, SubmitOptions } from './submission.js';
import { probe, runTool } from './tools.js';

export interface JudgeObserver extends ProviderObserver, PipelineObserver {
  stage(language: string, stage: 'queue' | 'start' | 'compile' | 'test' | 'total', seconds: number): void;
  /** How a result was obtained (cache hit, shared run, judged). */
  cacheResult(source: CacheSource): void;
}

export interface JudgeStats extends SchedulerStats {
  pool: PoolStats;
  cache: { entries: number; bytes: number; maxBytes: number };
}

type JudgeSettings = Pick<
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
  | 'sandboxMaxUses'
  | 'cacheBytes'
>;

interface Images {
  image(language: LanguageDefinition): ImageRef | undefined;
  refresh(probe: VersionProbe): Promise<void>;
}

export class Judge {
  private readonly scheduler: Scheduler;
  private readonly provider: SandboxProvider;
  private readonly pipeline: Pipeline;
  private readonly cacheUse: CacheUse;
  /** Items of batches not yet handed to the scheduler (see startPaced). */
  private withheld = 0;

  constructor(
    engine: ContainerEngine,
    private readonly images: Images,
    private readonly settings: JudgeSettings,
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
    this.provider = new SandboxProvider(engine, settings, observer);
    this.pipeline = new Pipeline(this.provider, settings, observer);
    this.cacheUse = { cache: new ResultCache({ maxBytes: settings.cacheBytes }), cacheBytes: settings.cacheBytes, observer };
  }

  stats(): JudgeStats {
    const scheduled = this.scheduler.stats();
    // Programs a paced batch has not handed to the scheduler yet wait all the same.
    return { ...scheduled, queued: scheduled.queued + this.withheld, pool: this.provider.poolStats(), cache: this.cacheUse.cache.stats() };
  }

  /** Judge one submission; refuses at once (429) when the queue is full, 503 when draining. */
  async submit(submission: Submission, options: SubmitOptions): Promise<SubmissionResult> {
    this.scheduler.admit(1);
    if (options.answerWithinMs !== undefined) this.checkDeadline(submission, options.priority, options.answerWithinMs);
    const flow = this.scheduler.flow(options.priority, options.signal);
    return this.judge(submission, flow, undefined, options);
  }

  /**
   * Refuse (504) a submission that would likely answer after `deadlineMs`: the scheduler's expected
   * wait plus what its limits let it take (the compile's CPU limit when it compiles first, and its
   * tests' wall limits within their total). Sandbox start and the compile's wall time beyond its CPU
   * limit are left to the slack the caller's deadline has over its limits (verl's 10 s).
   */
  private checkDeadline(sub: Submission, priority: Priority, deadlineMs: number): void {
    const compileMs = compilesFirst(sub) ? sub.limits.compileTimeMs : 0;
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
   * Many submissions as one request, admitted here and now, whole or not at all (429; 503 when
   * draining), so a streamed answer can refuse before its first byte. Run, it is one scheduling
   * flow (sharing slots fairly with other requests), its sandboxes reused from one program to the next.
   */
  batch(items: readonly BatchItem[], options: BatchOptions): AdmittedBatch {
    this.scheduler.admit(items.length + (options.alongside ?? 0));
    let ran = false;
    return {
      run: (onItem, ready) => {
        if (ran) throw new Error('a batch is judged once: admit it again to judge it again');
        ran = true;
        return this.runBatch(items, options, onItem, ready);
      },
    };
  }

  private runBatch(items: readonly BatchItem[], options: BatchOptions, onItem: (line: BatchLine) => void, ready: (() => Promise<void>) | undefined): Promise<BatchSummary> {
    return judgeBatch(items, options, onItem, ready, {
      window: this.settings.concurrency,
      withhold: (delta) => {
        this.withheld += delta;
      },
      open: (signal) => {
        const flow = this.scheduler.flow(options.priority, signal);
        const reuse = this.settings.sandboxReuse ? this.provider.reuseSet(flow) : undefined;
        return {
          judge: (sub, begun) => this.judge(sub, flow, reuse, { ...options, signal }, begun),
          close: () => reuse?.close(),
        };
      },
    });
  }

  /** Stop taking work, wait for what is queued or running, then let every sandbox go. */
  async drain(): Promise<void> {
    await this.scheduler.drain();
    await this.provider.close();
  }

  /** Resolves when no sandbox is being started for the pool or destroyed. */
  settle(): Promise<void> {
    return this.provider.settle();
  }

  /** Keep one sandbox warm per language at the default limits from boot. */
  prewarm(language: LanguageDefinition, limits: Limits): void {
    const image = this.images.image(language);
    if (!image) return;
    this.provider.prewarm(sandboxShape(language, image, limits, this.settings.scratchBytes), 1);
  }

  /**
   * One trusted command of the language's image (a parser, not a program) in a
   * sandbox, scheduled like any program: for line segmentation.
   */
  async runTool(lang: LanguageDefinition, argv: readonly string[], stdin: Buffer, options: Omit<SubmitOptions, 'cache'>): Promise<RunRecord> {
    this.scheduler.admit(1);
    const image = await this.imageFor(lang);
    const flow = this.scheduler.flow(options.priority, options.signal);
    return flow.run((signal) => runTool(this.provider, this.settings, lang, image, argv, stdin, signal));
  }

  /** Run one command in a fresh sandbox of the language's image (toolchain version probes). */
  probe(lang: LanguageDefinition, image: { tag: string }, argv: readonly string[]): Promise<RunRecord> {
    return probe(this.provider, this.settings, lang, image, argv);
  }

  /**
   * The result from the cache, from an identical run in flight, or judged in a slot of `flow`.
   * `begun`: called once it waits for no slot of its own: its run got one, or it joined an identical run.
   */
  private async judge(sub: Submission, flow: Flow, reuse: ReuseSet | undefined, options: SubmitOptions, begun?: () => void): Promise<SubmissionResult> {
    const image = await this.imageFor(sub.language);
    const enqueued = performance.now();
    const run = (signal: AbortSignal | undefined) =>
      flow.run((taskSignal, slot) => {
        begun?.();
        this.observer.stage(sub.language.id, 'queue', (performance.now() - enqueued) / 1000);
        return this.pipeline.judge(sub, image, signal ? AbortSignal.any([signal, taskSignal]) : taskSignal, reuse, slot);
      });
    return judgeCached(this.cacheUse, sub, image.id, run, options, begun);
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
}
