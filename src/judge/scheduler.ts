/**
 * Who gets the next sandbox slot. Slots go to the highest priority class with
 * work waiting, and within a class round-robin between requests (flows), so a
 * batch of ten thousand submissions cannot make a single submission sent after
 * it wait for the whole batch.
 *
 * A slot is held for one step of a task (one test of a program), not the whole
 * task: between steps a task yields its slot when another request waits, and
 * resumes at its flow's next turn, so a program of a thousand slow tests delays
 * a later request by one test, not a thousand. Started-but-paused tasks keep
 * their sandbox, so their number is capped.
 *
 * The queue limit is shared between requests: a flow counts for at most `share`
 * of its queued tasks, so one big batch cannot fill the queue and make every
 * later request a 429; what it has beyond its share waits inside it, in turn.
 */
import { priorities, type Priority } from '../domain/vocabulary.js';
import { CancelledError, QueueFullError, ShuttingDownError } from '../errors.js';
import { FlowImpl, Ring, type Entry, type Flow, type Hooks, type Resume, type Running, type Slot, type Task } from './flow.js';

export type { Flow, Slot } from './flow.js';

export interface SchedulerOptions {
  concurrency: number;
  queueLimit: number;
  /**
   * Queue places one flow counts for at most, however many tasks it has queued; default
   * unbounded (a flow counts for all it queued). A flow's tasks past it still run in turn.
   */
  share?: number;
  /** Tasks started and paused in yield() at once, each holding its sandbox; default concurrency. */
  maxPaused?: number;
  /** Milliseconds on a monotonic clock; injectable so tests need no real time. */
  now?: () => number;
}

export interface SchedulerStats {
  running: number;
  /** Tasks queued and not started, all of them (a flow's tasks beyond its share included). */
  queued: number;
  /** Queue places taken: each flow's queued tasks, up to its share. Admission compares this with queueLimit. */
  queueUsed: number;
  /** Tasks started that gave their slot up in yield() and wait to resume. */
  paused: number;
  /** Flows with at least one task queued. */
  waitingRequests: number;
  concurrency: number;
  queueLimit: number;
  /** queueUsed >= queueLimit: no room for one more task. */
  saturated: boolean;
}

/**
 * Weight of the newest task in the mean duration: a new workload shows within
 * about ten tasks, while one pathological task does not swing the estimate.
 */
const DURATION_WEIGHT = 0.2;
const MIN_RETRY_SECONDS = 1;
const MAX_RETRY_SECONDS = 60;
export class Scheduler {
  private readonly concurrency: number;
  private readonly queueLimit: number;
  private readonly share: number;
  private readonly maxPaused: number;
  private readonly now: () => number;
  private readonly rings: Record<Priority, Ring>;
  private running = 0;
  private queued = 0;
  /** Σ over flows of min(flow.queued, share), kept as flows' queues change. */
  private queueUsed = 0;
  private paused = 0;
  private waitingRequests = 0;
  private meanTaskMs: number | undefined = undefined;
  /** Mean time a slot is held at a stretch (one test of a program, between yields): the unit of a turn. */
  private meanHoldMs: number | undefined = undefined;
  /** Tasks queued or paused, per class: the work a class below it waits behind. */
  private readonly waitingTasks: Record<Priority, number>;
  private pumping = false;
  private closing = false;
  private drained: Promise<void> | undefined = undefined;
  private resolveDrained: (() => void) | undefined = undefined;
  private readonly hooks: Hooks = {
    enqueue: (flow, task) => this.enqueue(flow, task),
    abort: (flow) => this.abort(flow),
  };

  constructor(options: SchedulerOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new RangeError(`concurrency must be a positive integer, not ${options.concurrency}`);
    }
    if (!Number.isInteger(options.queueLimit) || options.queueLimit < 0) {
      throw new RangeError(`queueLimit must be a non-negative integer, not ${options.queueLimit}`);
    }
    const share = options.share ?? Infinity;
    if (share !== Infinity && (!Number.isInteger(share) || share < 1)) throw new RangeError(`share must be a positive integer, not ${share}`);
    const maxPaused = options.maxPaused ?? options.concurrency;
    if (!Number.isInteger(maxPaused) || maxPaused < 0) throw new RangeError(`maxPaused must be a non-negative integer, not ${maxPaused}`);
    this.concurrency = options.concurrency;
    this.queueLimit = options.queueLimit;
    this.share = share;
    this.maxPaused = maxPaused;
    this.now = options.now ?? (() => performance.now());
    this.rings = Object.fromEntries(priorities.map((p) => [p, new Ring()])) as Record<Priority, Ring>;
    this.waitingTasks = Object.fromEntries(priorities.map((p) => [p, 0])) as Record<Priority, number>;
  }

  /** One flow per HTTP request (a single submission or a whole batch). `signal` aborts everything of the flow. */
  flow(priority: Priority, signal?: AbortSignal): Flow {
    if (this.closing) throw new ShuttingDownError('the service is shutting down');
    if (!(priority in this.rings)) throw new RangeError(`unknown priority ${JSON.stringify(priority)}`);
    // A flow without a signal still hands its tasks one, so they need no special case.
    return new FlowImpl(priority, signal ?? new AbortController().signal, this.hooks);
  }

  stats(): SchedulerStats {
    return {
      running: this.running,
      queued: this.queued,
      queueUsed: this.queueUsed,
      paused: this.paused,
      waitingRequests: this.waitingRequests,
      concurrency: this.concurrency,
      queueLimit: this.queueLimit,
      saturated: this.queueUsed >= this.queueLimit,
    };
  }

  /**
   * Refuse a request whose `tasks` would take the queue past its limit, before it
   * enqueues anything, so a batch is admitted whole or refused whole. A request
   * counts for at most `share` of its tasks: one flow each. Admission reserves
   * nothing: enqueue in the same tick, or others may fill the room first.
   */
  admit(tasks: number): void {
    if (!Number.isInteger(tasks) || tasks < 0) throw new RangeError(`tasks must be a non-negative integer, not ${tasks}`);
    if (this.closing) throw new ShuttingDownError('the service is shutting down');
    const places = Math.min(tasks, this.share);
    if (this.queueUsed + places > this.queueLimit) {
      throw new QueueFullError(
        `the queue holds ${this.queueUsed} of at most ${this.queueLimit} places; this request needs ${places} more`,
        this.retryAfterSeconds(),
      );
    }
  }

  /** Seconds until the queue has likely drained: places used / concurrency × mean task duration, within [1, 60]. */
  retryAfterSeconds(): number {
    if (this.meanTaskMs === undefined) return MIN_RETRY_SECONDS;
    const seconds = Math.ceil(((this.queueUsed / this.concurrency) * this.meanTaskMs) / 1000);
    return Math.min(MAX_RETRY_SECONDS, Math.max(MIN_RETRY_SECONDS, seconds));
  }

  /**
   * Milliseconds a task of a new flow of `priority` would likely wait for its first slot: 0 while a
   * slot is free; otherwise its place in line × the mean time a slot is held / concurrency. Its place
   * is one turn per flow waiting in its class (slots go round-robin, one stretch a turn) plus every
   * task waiting in a higher class (which goes first), plus its own turn. 0 before any slot was
   * held: with no history there is nothing to estimate from. An estimate: stretches vary.
   */
  expectedWaitMs(priority: Priority): number {
    if (this.running < this.concurrency || this.meanHoldMs === undefined) return 0;
    let ahead = this.rings[priority].size + 1;
    for (const p of priorities) {
      if (p === priority) break;
      ahead += this.waitingTasks[p];
    }
    return (ahead * this.meanHoldMs) / this.concurrency;
  }

  /** Refuse new flows and tasks from now on; resolves when nothing is queued, running or paused. */
  drain(): Promise<void> {
    this.closing = true;
    this.drained ??= new Promise<void>((resolve) => {
      this.resolveDrained = resolve;
    });
    this.checkDrained();
    return this.drained;
  }

  private enqueue(flow: FlowImpl, task: Task): Promise<unknown> {
    // Admission was decided by admit(); a request already admitted is not refused for size here.
    if (this.closing) return Promise.reject(new ShuttingDownError('the service is shutting down'));
    if (flow.signal.aborted) return Promise.reject(CancelledError.from(flow.signal, 'dropped before it started'));
    return new Promise((resolve, reject) => {
      this.watch(flow);
      const before = flow.queued;
      flow.push({ task, resolve, reject });
      this.queued++;
      this.waitingTasks[flow.priority]++;
      this.queueUsed += this.places(flow.queued) - this.places(before);
      this.enterRing(flow);
      this.pump();
    });
  }

  private places(queued: number): number {
    return Math.min(queued, this.share);
  }

  private watch(flow: FlowImpl): void {
    if (!flow.watching) {
      flow.signal.addEventListener('abort', flow.onAbort, { once: true });
      flow.watching = true;
    }
  }

  private enterRing(flow: FlowImpl): void {
    if (!flow.inRing) {
      this.rings[flow.priority].push(flow);
      this.waitingRequests++;
    }
  }

  /** Fill free slots. Tasks start synchronously and may re-enter (run, abort): the guard keeps one loop. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.running < this.concurrency) {
        const ring = this.nextRing();
        if (ring === undefined) break;
        const flow = ring.head!;
        const resume = flow.resumes.shift();
        const entry = resume ? undefined : this.take(flow);
        if (flow.waiting) ring.rotate();
        else {
          ring.remove(flow);
          this.waitingRequests--;
        }
        if (resume) {
          this.paused--;
          this.waitingTasks[flow.priority]--;
          this.hold(resume.run);
          resume.resolve();
        } else this.start(flow, entry!);
      }
    } finally {
      this.pumping = false;
    }
  }

  /** The flow's next queued task, off the queue and its share of places. */
  private take(flow: FlowImpl): Entry {
    const before = flow.queued;
    const entry = flow.shift()!;
    this.queued--;
    this.waitingTasks[flow.priority]--;
    this.queueUsed += this.places(flow.queued) - this.places(before);
    return entry;
  }

  private nextRing(): Ring | undefined {
    for (const priority of priorities) {
      const ring = this.rings[priority];
      if (ring.head !== undefined) return ring;
    }
    return undefined;
  }

  /** The flow other than `self` that a slot given up now would go to: of `self`'s class or a higher one. */
  private nextOther(self: FlowImpl): FlowImpl | undefined {
    for (const priority of priorities) {
      const head = this.rings[priority].head;
      const other = head === self ? head.next : head;
      if (other !== undefined) return other;
      if (priority === self.priority) return undefined;
    }
    return undefined;
  }

  private hold(run: Running): void {
    run.holding = true;
    run.heldSince = this.now();
    this.running++;
    run.flow.running++;
  }

  private letGo(run: Running): void {
    run.holding = false;
    const heldMs = Math.max(0, this.now() - run.heldSince);
    run.heldMs += heldMs;
    this.meanHoldMs = this.meanHoldMs === undefined ? heldMs : this.meanHoldMs + DURATION_WEIGHT * (heldMs - this.meanHoldMs);
    this.running--;
    run.flow.running--;
  }

  private start(flow: FlowImpl, entry: Entry): void {
    const run: Running = { flow, holding: false, heldSince: 0, heldMs: 0 };
    this.hold(run);
    const slot: Slot = { yield: () => this.yieldSlot(run) };
    let result: Promise<unknown>;
    try {
      result = Promise.resolve(entry.task(flow.signal, slot));
    } catch (err) {
      result = Promise.reject(err);
    }
    // The slot is given back before the caller hears of the outcome, so what it sees in stats() is settled.
    result.then(
      (value) => {
        this.finish(run);
        entry.resolve(value);
      },
      (err: unknown) => {
        this.finish(run);
        entry.reject(err);
      },
    );
  }

  private yieldSlot(run: Running): Promise<void> {
    const flow = run.flow;
    if (flow.signal.aborted) return Promise.reject(CancelledError.from(flow.signal, 'dropped before it started'));
    if (!run.holding) return Promise.reject(new Error('yield() while the task holds no slot: await the previous yield()'));
    const next = this.nextOther(flow);
    // Past the cap a new task may not take the slot: it would leave one more sandbox paused.
    if (next === undefined || (this.paused >= this.maxPaused && next.resumes.length === 0)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.letGo(run);
      this.paused++;
      this.waitingTasks[flow.priority]++;
      flow.resumes.push({ run, resolve, reject });
      const ring = this.rings[flow.priority];
      // It had its turn: whoever waits goes first.
      if (flow.inRing && ring.head === flow) ring.rotate();
      this.enterRing(flow);
      this.pump();
    });
  }

  private finish(run: Running): void {
    if (run.holding) this.letGo(run);
    const ms = run.heldMs;
    this.meanTaskMs = this.meanTaskMs === undefined ? ms : this.meanTaskMs + DURATION_WEIGHT * (ms - this.meanTaskMs);
    this.release(run.flow);
    this.pump();
    this.checkDrained();
  }

  private abort(flow: FlowImpl): void {
    flow.watching = false;
    const before = flow.queued;
    const entries = flow.takeAll();
    const resumes = flow.resumes;
    flow.resumes = [];
    this.queued -= entries.length;
    this.queueUsed -= this.places(before);
    this.paused -= resumes.length;
    this.waitingTasks[flow.priority] -= entries.length + resumes.length;
    if (flow.inRing) {
      this.rings[flow.priority].remove(flow);
      this.waitingRequests--;
    }
    if (entries.length > 0 || resumes.length > 0) {
      const error = CancelledError.from(flow.signal, 'dropped before it started');
      for (const entry of entries) entry.reject(error);
      for (const resume of resumes) resume.reject(error);
    }
    this.checkDrained();
  }

  /** An idle flow must not stay reachable from its signal: a process-wide signal would otherwise leak every request. */
  private release(flow: FlowImpl): void {
    if (flow.watching && !flow.waiting && flow.running === 0) {
      flow.signal.removeEventListener('abort', flow.onAbort);
      flow.watching = false;
    }
  }

  private checkDrained(): void {
    if (this.closing && this.running === 0 && this.queued === 0 && this.paused === 0) this.resolveDrained?.();
  }
}
