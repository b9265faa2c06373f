/**
 * Who gets the next sandbox slot. Slots go to the highest priority class with
 * work waiting, and within a class round-robin between requests (flows), so a
 * batch of ten thousand submissions cannot make a single submission sent after
 * it wait for the whole batch.
 */
import { priorities, type Priority } from '../domain/vocabulary.js';
import { CancelledError, QueueFullError, ShuttingDownError } from '../errors.js';

export interface SchedulerOptions {
  concurrency: number;
  queueLimit: number;
  /** Milliseconds on a monotonic clock; injectable so tests need no real time. */
  now?: () => number;
}

export interface SchedulerStats {
  running: number;
  queued: number;
  /** Flows with at least one task queued. */
  waitingRequests: number;
  concurrency: number;
  queueLimit: number;
  /** queued >= queueLimit: no room for one more task. */
  saturated: boolean;
}

export interface Flow {
  readonly priority: Priority;
  /**
   * Queue one task; it starts when a slot is free and it is this flow's turn.
   * Its signal fires when the flow is aborted, and the task must then stop (the
   * slot stays taken until it settles). Rejects with CancelledError if the flow
   * is aborted before the task starts; the task then never runs.
   */
  run<T>(task: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /** Tasks of this flow queued and not started. */
  readonly queued: number;
  readonly running: number;
}

/**
 * Weight of the newest task in the mean duration: a new workload shows within
 * about ten tasks, while one pathological task does not swing the estimate.
 */
const DURATION_WEIGHT = 0.2;
const MIN_RETRY_SECONDS = 1;
const MAX_RETRY_SECONDS = 60;
/** Past this many consumed entries, a flow's array is compacted (amortised O(1) dequeue). */
const COMPACT_AFTER = 1024;

interface Entry {
  task: (signal: AbortSignal) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

interface Hooks {
  enqueue(flow: FlowImpl, task: (signal: AbortSignal) => Promise<unknown>): Promise<unknown>;
  abort(flow: FlowImpl): void;
}

class FlowImpl implements Flow {
  // Links of the priority ring; set only while the flow has queued tasks.
  prev: FlowImpl | undefined = undefined;
  next: FlowImpl | undefined = undefined;
  inRing = false;
  running = 0;
  /** Whether onAbort is registered on the signal: only while the flow has work, so idle flows are not kept alive by a long-lived signal. */
  watching = false;
  private entries: (Entry | undefined)[] = [];
  private head = 0;
  readonly onAbort = (): void => this.hooks.abort(this);

  constructor(
    readonly priority: Priority,
    readonly signal: AbortSignal,
    private readonly hooks: Hooks,
  ) {}

  get queued(): number {
    return this.entries.length - this.head;
  }

  run<T>(task: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return this.hooks.enqueue(this, task) as Promise<T>;
  }

  push(entry: Entry): void {
    this.entries.push(entry);
  }

  shift(): Entry | undefined {
    const entry = this.entries[this.head];
    if (entry === undefined) return undefined;
    // Dropped at once so a finished task's closure is not retained behind the head.
    this.entries[this.head++] = undefined;
    if (this.head === this.entries.length) {
      this.entries = [];
      this.head = 0;
    } else if (this.head >= COMPACT_AFTER && this.head * 2 >= this.entries.length) {
      this.entries.splice(0, this.head);
      this.head = 0;
    }
    return entry;
  }

  takeAll(): Entry[] {
    const taken = this.entries.slice(this.head) as Entry[];
    this.entries = [];
    this.head = 0;
    return taken;
  }
}

/** Flows of one priority class with queued tasks, in turn order (doubly linked: O(1) removal on abort). */
class Ring {
  head: FlowImpl | undefined = undefined;
  private tail: FlowImpl | undefined = undefined;

  push(flow: FlowImpl): void {
    flow.prev = this.tail;
    flow.next = undefined;
    if (this.tail) this.tail.next = flow;
    else this.head = flow;
    this.tail = flow;
    flow.inRing = true;
  }

  remove(flow: FlowImpl): void {
    if (flow.prev) flow.prev.next = flow.next;
    else this.head = flow.next;
    if (flow.next) flow.next.prev = flow.prev;
    else this.tail = flow.prev;
    flow.prev = undefined;
    flow.next = undefined;
    flow.inRing = false;
  }

  /** The head had its turn: it goes behind everyone else waiting. */
  rotate(): void {
    const head = this.head;
    if (head === undefined || head === this.tail) return;
    this.remove(head);
    this.push(head);
  }
}

export class Scheduler {
  private readonly concurrency: number;
  private readonly queueLimit: number;
  private readonly now: () => number;
  private readonly rings: Record<Priority, Ring>;
  private running = 0;
  private queued = 0;
  private waitingRequests = 0;
  private meanTaskMs: number | undefined = undefined;
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
    this.concurrency = options.concurrency;
    this.queueLimit = options.queueLimit;
    this.now = options.now ?? (() => performance.now());
    this.rings = Object.fromEntries(priorities.map((p) => [p, new Ring()])) as Record<Priority, Ring>;
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
      waitingRequests: this.waitingRequests,
      concurrency: this.concurrency,
      queueLimit: this.queueLimit,
      saturated: this.queued >= this.queueLimit,
    };
  }

  /**
   * Refuse a request whose `tasks` would take the queue past its limit, before it
   * enqueues anything, so a batch is admitted whole or refused whole. Admission
   * reserves nothing: enqueue in the same tick, or others may fill the room first.
   */
  admit(tasks: number): void {
    if (!Number.isInteger(tasks) || tasks < 0) throw new RangeError(`tasks must be a non-negative integer, not ${tasks}`);
    if (this.closing) throw new ShuttingDownError('the service is shutting down');
    if (this.queued + tasks > this.queueLimit) {
      throw new QueueFullError(
        `the queue holds ${this.queued} of at most ${this.queueLimit} tasks; ${tasks} more do not fit`,
        this.retryAfterSeconds(),
      );
    }
  }

  /** Seconds until the queue has likely drained: queued / concurrency × mean task duration, within [1, 60]. */
  retryAfterSeconds(): number {
    if (this.meanTaskMs === undefined) return MIN_RETRY_SECONDS;
    const seconds = Math.ceil(((this.queued / this.concurrency) * this.meanTaskMs) / 1000);
    return Math.min(MAX_RETRY_SECONDS, Math.max(MIN_RETRY_SECONDS, seconds));
  }

  /** Refuse new flows and tasks from now on; resolves when nothing is queued or running. */
  drain(): Promise<void> {
    this.closing = true;
    this.drained ??= new Promise<void>((resolve) => {
      this.resolveDrained = resolve;
    });
    this.checkDrained();
    return this.drained;
  }

  private enqueue(flow: FlowImpl, task: (signal: AbortSignal) => Promise<unknown>): Promise<unknown> {
    // Admission was decided by admit(); a request already admitted is not refused for size here.
    if (this.closing) return Promise.reject(new ShuttingDownError('the service is shutting down'));
    if (flow.signal.aborted) return Promise.reject(cancelled(flow.signal));
    return new Promise((resolve, reject) => {
      if (!flow.watching) {
        flow.signal.addEventListener('abort', flow.onAbort, { once: true });
        flow.watching = true;
      }
      flow.push({ task, resolve, reject });
      this.queued++;
      if (!flow.inRing) {
        this.rings[flow.priority].push(flow);
        this.waitingRequests++;
      }
      this.pump();
    });
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
        const entry = flow.shift()!;
        this.queued--;
        if (flow.queued === 0) {
          ring.remove(flow);
          this.waitingRequests--;
        } else {
          ring.rotate();
        }
        this.start(flow, entry);
      }
    } finally {
      this.pumping = false;
    }
  }

  private nextRing(): Ring | undefined {
    for (const priority of priorities) {
      const ring = this.rings[priority];
      if (ring.head !== undefined) return ring;
    }
    return undefined;
  }

  private start(flow: FlowImpl, entry: Entry): void {
    this.running++;
    flow.running++;
    const started = this.now();
    let result: Promise<unknown>;
    try {
      result = Promise.resolve(entry.task(flow.signal));
    } catch (err) {
      result = Promise.reject(err);
    }
    // The slot is given back before the caller hears of the outcome, so what it sees in stats() is settled.
    result.then(
      (value) => {
        this.finish(flow, started);
        entry.resolve(value);
      },
      (err: unknown) => {
        this.finish(flow, started);
        entry.reject(err);
      },
    );
  }

  private finish(flow: FlowImpl, started: number): void {
    this.running--;
    flow.running--;
    const ms = Math.max(0, this.now() - started);
    this.meanTaskMs = this.meanTaskMs === undefined ? ms : this.meanTaskMs + DURATION_WEIGHT * (ms - this.meanTaskMs);
    this.release(flow);
    this.pump();
    this.checkDrained();
  }

  private abort(flow: FlowImpl): void {
    flow.watching = false;
    const entries = flow.takeAll();
    this.queued -= entries.length;
    if (flow.inRing) {
      this.rings[flow.priority].remove(flow);
      this.waitingRequests--;
    }
    if (entries.length > 0) {
      const error = cancelled(flow.signal);
      for (const entry of entries) entry.reject(error);
    }
    this.checkDrained();
  }

  /** An idle flow must not stay reachable from its signal: a process-wide signal would otherwise leak every request. */
  private release(flow: FlowImpl): void {
    if (flow.watching && flow.queued === 0 && flow.running === 0) {
      flow.signal.removeEventListener('abort', flow.onAbort);
      flow.watching = false;
    }
  }

  private checkDrained(): void {
    if (this.closing && this.running === 0 && this.queued === 0) this.resolveDrained?.();
  }
}

function cancelled(signal: AbortSignal): CancelledError {
  const reason: unknown = signal.reason;
  let why = 'the client disconnected or the deadline passed';
  if (typeof reason === 'string' && reason !== '') why = reason;
  else if (reason instanceof Error && reason.name === 'TimeoutError') why = 'the deadline passed';
  // A bare abort() carries a generic AbortError whose message says nothing the default does not.
  else if (reason instanceof Error && reason.name !== 'AbortError' && reason.message !== '') why = reason.message;
  return new CancelledError(`dropped before it started: ${why}`, { cause: reason });
}
