/**
 * A flow (one request's tasks, queued in order) and the ring of flows of one priority class
 * that take turns: the scheduler's data structures (scheduler.ts decides who runs next).
 */
import type { Priority } from '../domain/vocabulary.js';

/** What a running task may do with its slot. */
export interface Slot {
  /**
   * Between two steps of the task: when another flow of this class or a higher one waits,
   * give the slot up and resolve when it is this flow's turn again; otherwise resolve at
   * once. At most maxPaused tasks are paused at a time: past that, the slot is only handed
   * to a paused task (so started tasks still take turns) or kept. Rejects with
   * CancelledError when the flow is aborted while the task waits; the task must then stop.
   * Await it before anything else: the task holds no slot until it resolves.
   */
  yield(): Promise<void>;
}

export interface Flow {
  readonly priority: Priority;
  /**
   * Queue one task; it starts when a slot is free and it is this flow's turn.
   * Its signal fires when the flow is aborted, and the task must then stop (the
   * slot stays taken until it settles). Rejects with CancelledError if the flow
   * is aborted before the task starts; the task then never runs.
   */
  run<T>(task: (signal: AbortSignal, slot: Slot) => Promise<T>): Promise<T>;
  /** Tasks of this flow queued and not started. */
  readonly queued: number;
  readonly running: number;
  /** Tasks of this flow started and paused in yield(). */
  readonly paused: number;
}

/** Past this many consumed entries, a flow's array is compacted (amortised O(1) dequeue). */
const COMPACT_AFTER = 1024;

export type Task = (signal: AbortSignal, slot: Slot) => Promise<unknown>;

export interface Entry {
  task: Task;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

/** A started task: whether it holds a slot now, and how long it held one in all (for Retry-After). */
export interface Running {
  flow: FlowImpl;
  holding: boolean;
  heldSince: number;
  heldMs: number;
}

/** A paused task waiting for its flow's turn. */
export interface Resume {
  run: Running;
  resolve: () => void;
  reject: (reason: unknown) => void;
}

export interface Hooks {
  enqueue(flow: FlowImpl, task: Task): Promise<unknown>;
  abort(flow: FlowImpl): void;
}

export class FlowImpl implements Flow {
  // Links of the priority ring; set only while the flow has queued tasks.
  prev: FlowImpl | undefined = undefined;
  next: FlowImpl | undefined = undefined;
  inRing = false;
  running = 0;
  /** Paused tasks, resumed before any new task of the flow starts: finishing what holds a sandbox first. */
  resumes: Resume[] = [];
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

  get paused(): number {
    return this.resumes.length;
  }

  /** Something to give a slot to: a paused task or a queued one. */
  get waiting(): boolean {
    return this.resumes.length > 0 || this.queued > 0;
  }

  run<T>(task: (signal: AbortSignal, slot: Slot) => Promise<T>): Promise<T> {
    return this.hooks.enqueue(this, task as Task) as Promise<T>;
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
export class Ring {
  head: FlowImpl | undefined = undefined;
  private tail: FlowImpl | undefined = undefined;
  /** Flows in the ring: a new flow of this class gets its first slot after each of them had one. */
  size = 0;

  push(flow: FlowImpl): void {
    this.size++;
    flow.prev = this.tail;
    flow.next = undefined;
    if (this.tail) this.tail.next = flow;
    else this.head = flow;
    this.tail = flow;
    flow.inRing = true;
  }

  remove(flow: FlowImpl): void {
    this.size--;
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
