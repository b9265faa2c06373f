/**
 * Warm pool: sandboxes started ahead of demand, so a request does not wait
 * for Docker to create, attach and start a container, and sandboxes that
 * served a program and were reset for the next (see SandboxProvider.release),
 * so that one container serves many requests one after another instead of one
 * container being created and removed per request.
 *
 * Sized to demand: a kind of sandbox (image + limits) is kept warm in
 * proportion to how often it was asked for in the last window, never more
 * than `maxIdle` across all kinds (that bounds the idle memory: an idle
 * sandbox is its supervisor plus Docker's per-container shim), and a kind
 * nobody asked for within a window is let go. Sandboxes out with a program
 * count against the demand until they come back (or are let go): a kind
 * whose programs all end in recycled sandboxes starts no container at all.
 */

/**
 * A pooled sandbox. Whether it is still alive is found out by its first use:
 * the judge falls back to a new sandbox when a warm one fails before the
 * program started.
 */
export interface Pooled {
  close(): Promise<void>;
}

export interface PoolOptions {
  /** Idle sandboxes across all kinds; 0 turns the pool off. */
  maxIdle: number;
  /** Demand is counted over this window; a kind unused for a window is dropped. */
  windowMs: number;
  /** At most this many of one kind: more than the slots can never be used at once. */
  maxPerKind: number;
  now?: () => number;
}

export interface PoolStats {
  idle: number;
  starting: number;
  /**
   * Idle sandboxes a trim let go that still exist: the trim runs on its own
   * timer, so a leak check that counts containers must see them.
   */
  closing: number;
  kinds: number;
  maxIdle: number;
}

export interface PoolObserver {
  poolTake(hit: boolean): void;
  poolStartFailed(err: unknown): void;
}

interface Kind<S> {
  key: string;
  idle: S[];
  /** Times of recent takes, hits and misses alike: the demand. */
  takes: number[];
  filling: number;
  /** Handed out by take (a warm one, or the one the caller starts on a miss) and not given back yet. */
  out: number;
  open: () => Promise<S>;
}

export class WarmPool<S extends Pooled> {
  private readonly kinds = new Map<string, Kind<S>>();
  private readonly inflight = new Set<Promise<void>>();
  private readonly now: () => number;
  /** Idle sandboxes let go by a trim whose removal has not finished. */
  private closing = 0;
  private readonly timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly options: PoolOptions,
    private readonly observer: PoolObserver,
  ) {
    this.now = options.now ?? (() => performance.now());
    if (options.maxIdle > 0) this.timer = setInterval(() => this.trim(), options.windowMs).unref();
  }

  /** Idle sandboxes of this kind now. */
  idleOf(key: string): number {
    return this.kinds.get(key)?.idle.length ?? 0;
  }

  /** Whether take and giveBack do anything (maxIdle above 0, not closed). */
  get enabled(): boolean {
    return this.options.maxIdle > 0 && !this.closed;
  }

  /**
   * A warm sandbox of this kind, or undefined (the caller starts one itself).
   * Either way the request counts as demand, the sandbox the caller holds as
   * out until giveBack, and the kind is refilled.
   */
  take(key: string, open: () => Promise<S>): S | undefined {
    if (!this.enabled) return undefined;
    const kind = this.kindFor(key, open);
    kind.takes.push(this.now());
    kind.out++;
    const found = kind.idle.shift();
    this.observer.poolTake(found !== undefined);
    this.fill(kind);
    return found;
  }

  /**
   * The end of a sandbox take handed out (once per take): `sandbox` when it was reset and may serve
   * another program, undefined when it was let go. A returned sandbox is kept idle while demand
   * wants it; false when the pool will not (the caller lets it go).
   */
  giveBack(key: string, sandbox: S | undefined): boolean {
    const kind = this.kinds.get(key);
    if (!kind) return false;
    kind.out = Math.max(0, kind.out - 1);
    const kept = sandbox !== undefined && this.enabled && kind.idle.length + kind.filling < this.target(kind) && this.totalHeld() < this.options.maxIdle;
    if (kept) kind.idle.push(sandbox);
    else this.fill(kind);
    return kept;
  }

  /** Start sandboxes of this kind ahead of any request (boot-time pre-warming). */
  prewarm(key: string, open: () => Promise<S>, count: number): void {
    if (this.options.maxIdle === 0 || this.closed) return;
    const kind = this.kindFor(key, open);
    const now = this.now();
    for (let i = kind.takes.length; i < count; i++) kind.takes.push(now);
    this.fill(kind);
  }

  stats(): PoolStats {
    let idle = 0;
    let starting = 0;
    for (const kind of this.kinds.values()) {
      idle += kind.idle.length;
      starting += kind.filling;
    }
    return { idle, starting, closing: this.closing, kinds: this.kinds.size, maxIdle: this.options.maxIdle };
  }

  /** Resolves when no sandbox is being started or destroyed: what a leak check waits for. */
  async settle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  /** Stop refilling and destroy every idle sandbox. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.settle();
    const idle = [...this.kinds.values()].flatMap((k) => k.idle.splice(0));
    this.kinds.clear();
    await Promise.allSettled(idle.map((s) => s.close()));
  }

  private kindFor(key: string, open: () => Promise<S>): Kind<S> {
    let kind = this.kinds.get(key);
    if (!kind) {
      kind = { key, idle: [], takes: [], filling: 0, out: 0, open };
      this.kinds.set(key, kind);
    }
    kind.open = open;
    return kind;
  }

  private target(kind: Kind<S>): number {
    const since = this.now() - this.options.windowMs;
    while (kind.takes.length > 0 && kind.takes[0]! < since) kind.takes.shift();
    return Math.min(this.options.maxPerKind, kind.takes.length);
  }

  private totalHeld(): number {
    const { idle, starting } = this.stats();
    return idle + starting;
  }

  private fill(kind: Kind<S>): void {
    while (!this.closed && kind.idle.length + kind.filling + kind.out < this.target(kind) && this.totalHeld() < this.options.maxIdle) {
      kind.filling++;
      this.track(
        kind
          .open()
          .then((sandbox) => {
            if (this.closed || this.kinds.get(kind.key) !== kind) return sandbox.close();
            kind.idle.push(sandbox);
            return undefined;
          })
          .catch((err: unknown) => {
            // A failed start is the next request's to report; the pool just stays smaller.
            this.observer.poolStartFailed(err);
          })
          .finally(() => {
            kind.filling--;
          }),
      );
    }
  }

  /** Let go of what demand no longer justifies. */
  private trim(): void {
    for (const [key, kind] of this.kinds) {
      const excess = kind.idle.length - this.target(kind);
      for (const s of kind.idle.splice(0, Math.max(excess, 0))) {
        this.closing++;
        this.track(s.close().finally(() => this.closing--));
      }
      if (kind.idle.length === 0 && kind.filling === 0 && kind.out === 0 && kind.takes.length === 0) this.kinds.delete(key);
    }
  }

  private track(work: Promise<unknown>): void {
    const p = work.then(
      () => undefined,
      () => undefined,
    );
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }
}
