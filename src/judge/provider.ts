/**
 * Where a program's sandbox comes from: one its own request used before (reset for it), one the
 * pool holds (started ahead, or recycled: it served another program, of any request, and was reset
 * since), or a new container. And where it goes after: back to its request, reset into the pool
 * for the next program of its kind, or destroyed in the background, which drain and leak checks
 * wait for.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { Config } from '../config.js';
import type { ContainerEngine } from '../sandbox/docker-engine.js';
import { LABEL_INSTANCE, LABEL_JOB, LABEL_LANGUAGE, LABEL_PARENT } from '../sandbox/docker-engine.js';
import { SandboxSession } from '../sandbox/session.js';
import { WarmPool, type PoolObserver, type PoolStats } from './pool.js';
import type { Flow } from './scheduler.js';
import type { SandboxShape } from './sizing.js';

export const sandboxOrigins = ['pool', 'recycled', 'reused', 'fresh'] as const;
export type SandboxOrigin = (typeof sandboxOrigins)[number];

/** A live sandbox and the memory limit its container has now (raised after a compile). */
export interface Sandbox {
  session: SandboxSession;
  key: string;
  memoryBytes: number;
  /** Where the current program got it from. */
  origin: SandboxOrigin;
  /** Programs it was handed to so far. */
  uses: number;
  /** Whether the pool counts it as out (taken through it): it must hear once how it ended. */
  counted: boolean;
  close(): Promise<void>;
}

export interface ProviderObserver extends PoolObserver {
  containers(delta: number): void;
  stage(language: string, stage: 'start', seconds: number): void;
  /** Where a submission's sandbox came from. */
  sandboxSource(source: SandboxOrigin): void;
}

export type ProviderSettings = Pick<
  Config,
  'instanceId' | 'parentContainer' | 'scratchBytes' | 'scratchInodes' | 'sandboxCpus' | 'concurrency' | 'poolMaxIdle' | 'poolWindowMs' | 'sandboxReuse' | 'sandboxMaxUses'
>;

/**
 * Sandboxes one request keeps between its programs: a program's sandbox,
 * once reset, serves the next program of the same request while that request
 * still has programs queued; after that it goes to the provider (`release`),
 * which recycles it through the pool for any request of its kind.
 */
export class ReuseSet {
  private readonly idle = new Map<string, Sandbox[]>();
  private closed = false;

  constructor(
    private readonly flow: Flow,
    private readonly release: (sandbox: Sandbox) => void,
    private readonly maxUses: number,
  ) {}

  take(key: string): Sandbox | undefined {
    const list = this.idle.get(key);
    const sandbox = list?.pop();
    if (list?.length === 0) this.idle.delete(key);
    return sandbox;
  }

  /**
   * Keep it for the next program, or let it go when none is waiting, when its supervisor cannot
   * hide the cgroup counters this program moved (no Landlock, e.g. under gVisor), or when it served
   * its number of programs.
   */
  give(sandbox: Sandbox): void {
    if (this.closed || this.flow.queued === 0 || !sandbox.session.reusable || sandbox.uses >= this.maxUses) return this.release(sandbox);
    const list = this.idle.get(sandbox.key) ?? [];
    list.push(sandbox);
    this.idle.set(sandbox.key, list);
  }

  close(): void {
    this.closed = true;
    for (const list of this.idle.values()) for (const s of list) this.release(s);
    this.idle.clear();
  }
}

export class SandboxProvider {
  private readonly pool: WarmPool<Sandbox>;
  /** Sandboxes being destroyed after their answer went out; drain and leak checks wait for them. */
  private readonly retiring = new Set<Promise<void>>();
  /** Sandboxes being reset on their way back to the pool (see release), by kind. */
  private readonly recycling = new Map<string, Set<Promise<void>>>();

  constructor(
    private readonly engine: ContainerEngine,
    private readonly settings: ProviderSettings,
    private readonly observer: ProviderObserver,
  ) {
    this.pool = new WarmPool<Sandbox>(
      { maxIdle: settings.poolMaxIdle, windowMs: settings.poolWindowMs, maxPerKind: settings.concurrency },
      observer,
    );
  }

  poolStats(): PoolStats {
    return this.pool.stats();
  }

  /** What one request keeps of its sandboxes between its programs; they go back here when it closes. */
  reuseSet(flow: Flow): ReuseSet {
    return new ReuseSet(flow, (s) => this.release(s, true), this.settings.sandboxMaxUses);
  }

  /** Keep `count` sandboxes of this shape warm from now on, ahead of any request. */
  prewarm(shape: SandboxShape, count: number): void {
    const key = JSON.stringify(shape);
    this.pool.prewarm(key, () => this.open(shape), count);
  }

  /**
   * A sandbox for one program: one this request used before (reset to a new
   * uid and an empty program directory), one the pool holds (warm, or recycled
   * and already reset), or a new one.
   */
  async acquire(shape: SandboxShape, reuse: ReuseSet | undefined): Promise<Sandbox> {
    const key = JSON.stringify(shape);
    const reused = reuse?.take(key);
    if (reused) {
      try {
        await reused.session.reset(randomCandidateUid());
        await fitMemory(reused, shape);
        this.observer.sandboxSource('reused');
        reused.origin = 'reused';
        reused.uses++;
        return reused;
      } catch {
        // Whatever broke it, a new sandbox is the answer; the program has not run yet.
        this.release(reused, false);
      }
    }
    // A sandbox of this kind being reset is back in a few milliseconds; a new container takes
    // hundreds and Docker's CPU. A client that sends its next program as soon as it has the answer
    // to the last one would otherwise start a container per request.
    const resetting = this.recycling.get(key);
    if (resetting && this.pool.idleOf(key) === 0) await Promise.race(resetting);
    const counted = this.pool.enabled;
    const warm = this.pool.take(key, () => this.open(shape));
    if (warm) {
      warm.origin = warm.uses > 0 ? 'recycled' : 'pool';
      this.observer.sandboxSource(warm.origin);
      warm.counted = true;
      warm.uses++;
      return warm;
    }
    this.observer.sandboxSource('fresh');
    const fresh = await this.open(shape).catch((err: unknown) => {
      if (counted) this.pool.giveBack(key, undefined);
      throw err;
    });
    fresh.counted = counted;
    fresh.uses = 1;
    return fresh;
  }

  /** A new sandbox in place of one that died before its program ran (see acquire): that one is retired, this one takes its place in the pool's count. */
  async replace(dead: Sandbox, shape: SandboxShape): Promise<Sandbox> {
    const counted = dead.counted;
    dead.counted = false;
    this.retire(dead);
    let sandbox: Sandbox;
    try {
      sandbox = await this.open(shape);
    } catch (err) {
      if (counted) this.pool.giveBack(dead.key, undefined);
      throw err;
    }
    sandbox.counted = counted;
    sandbox.uses = 1;
    this.observer.sandboxSource('fresh');
    return sandbox;
  }

  /**
   * The end of a program's use of a sandbox. `recyclable` when nothing went wrong that the reset
   * could not undo (the sandbox survived every step, the request was not cancelled): then it is
   * reset now, off the next request's path, to a new uid and empty scratch space, its memory limit
   * back to its kind's, and given to the pool for the next program of its kind, of any request.
   * Otherwise, or past `sandboxMaxUses` programs, or where the supervisor cannot hide the cgroup
   * counters between programs, or when the pool does not want it, it is destroyed. Once per
   * sandbox: a second call (a cancelled program's kill, then its cleanup) does nothing.
   */
  release(sandbox: Sandbox, recyclable: boolean): void {
    if (released.has(sandbox)) return;
    released.add(sandbox);
    const recycle = recyclable && this.settings.sandboxReuse && sandbox.counted && sandbox.session.reusable && !sandbox.session.spent && sandbox.uses < this.settings.sandboxMaxUses;
    if (!recycle) {
      if (sandbox.counted) this.pool.giveBack(sandbox.key, undefined);
      sandbox.counted = false;
      this.retire(sandbox);
      return;
    }
    const shape = JSON.parse(sandbox.key) as SandboxShape;
    const work = (async () => {
      try {
        await sandbox.session.reset(randomCandidateUid());
        await fitMemory(sandbox, shape);
      } catch {
        this.pool.giveBack(sandbox.key, undefined);
        sandbox.counted = false;
        this.retire(sandbox);
        return;
      }
      released.delete(sandbox);
      if (!this.pool.giveBack(sandbox.key, sandbox)) {
        sandbox.counted = false;
        this.retire(sandbox);
      }
    })();
    const kind = this.recycling.get(sandbox.key) ?? new Set<Promise<void>>();
    this.recycling.set(sandbox.key, kind);
    kind.add(work);
    void work.finally(() => {
      kind.delete(work);
      if (kind.size === 0 && this.recycling.get(sandbox.key) === kind) this.recycling.delete(sandbox.key);
    });
  }

  /** A new container, started now (acquire's last resort, the pool's refill, version probes). */
  async open(shape: SandboxShape): Promise<Sandbox> {
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
      key: JSON.stringify(shape),
      memoryBytes: shape.memoryBytes,
      origin: 'fresh',
      uses: 0,
      counted: false,
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

  /** Resolves when no sandbox is being started for the pool or destroyed. */
  async settle(): Promise<void> {
    while (this.recycling.size > 0) await Promise.allSettled([...this.recycling.values()].flatMap((kind) => [...kind]));
    await this.pool.settle();
    while (this.retiring.size > 0) await Promise.allSettled([...this.retiring]);
  }

  /** Stop keeping sandboxes warm, let every idle one go, and wait until none is being destroyed. */
  async close(): Promise<void> {
    await this.pool.close();
    await this.settle();
  }
}

/** Sandboxes whose program's use has ended (release was called) and that are not back in the pool. */
const released = new WeakSet<Sandbox>();

/** The container's memory limit back to its kind's: a compile raised it for the program directory it left. */
async function fitMemory(sandbox: Sandbox, shape: SandboxShape): Promise<void> {
  if (sandbox.memoryBytes === shape.memoryBytes) return;
  await sandbox.session.setMemory(shape.memoryBytes);
  sandbox.memoryBytes = shape.memoryBytes;
}

/** A uid no other live sandbox is likely to share (per-user kernel limits are host-wide). */
function randomCandidateUid(): number {
  return randomInt(100_000, 2_000_000_000);
}
