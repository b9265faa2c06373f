/**
 * Where a program's sandbox comes from: one its own request used before (reset for it), a warm one
 * from the pool, or a new container. And where it goes after: back to its request, or destroyed in
 * the background, which drain and leak checks wait for.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { Config } from '../config.js';
import type { ContainerEngine } from '../sandbox/docker-engine.js';
import { LABEL_INSTANCE, LABEL_JOB, LABEL_LANGUAGE, LABEL_PARENT } from '../sandbox/docker-engine.js';
import { SandboxSession } from '../sandbox/session.js';
import { WarmPool, type PoolObserver, type PoolStats } from './pool.js';
import type { Flow } from './scheduler.js';
import type { SandboxShape } from './sizing.js';

export const sandboxOrigins = ['pool', 'reused', 'fresh'] as const;
export type SandboxOrigin = (typeof sandboxOrigins)[number];

/** A live sandbox and the memory limit its container has now (raised after a compile). */
export interface Sandbox {
  session: SandboxSession;
  key: string;
  memoryBytes: number;
  /** Where the current program got it from. */
  origin: SandboxOrigin;
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
  'instanceId' | 'parentContainer' | 'scratchBytes' | 'scratchInodes' | 'sandboxCpus' | 'concurrency' | 'poolMaxIdle' | 'poolWindowMs'
>;

/**
 * Sandboxes one request keeps between its programs: a program's sandbox,
 * once reset, serves the next program of the same request while that request
 * still has programs queued; never a program of another request.
 */
export class ReuseSet {
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

export class SandboxProvider {
  private readonly pool: WarmPool<Sandbox>;
  /** Sandboxes being destroyed after their answer went out; drain and leak checks wait for them. */
  private readonly retiring = new Set<Promise<void>>();

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
    return new ReuseSet(flow, (s) => this.retire(s));
  }

  /** Keep `count` sandboxes of this shape warm from now on, ahead of any request. */
  prewarm(shape: SandboxShape, count: number): void {
    const key = JSON.stringify(shape);
    this.pool.prewarm(key, () => this.open(shape), count);
  }

  /**
   * A sandbox for one program: one this request used before (reset to a new
   * uid and an empty program directory), a warm one, or a new one.
   */
  async acquire(shape: SandboxShape, reuse: ReuseSet | undefined): Promise<Sandbox> {
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
    const warm = this.pool.take(key, () => this.open(shape));
    if (warm) {
      this.observer.sandboxSource('pool');
      warm.origin = 'pool';
      return warm;
    }
    this.observer.sandboxSource('fresh');
    return this.open(shape);
  }

  /** A new sandbox in place of one that died before its program ran (see acquire): that one is retired. */
  async replace(dead: Sandbox, shape: SandboxShape): Promise<Sandbox> {
    this.retire(dead);
    const sandbox = await this.open(shape);
    this.observer.sandboxSource('fresh');
    return sandbox;
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
      close: () => {
        closing ??= session.close().finally(() => this.observer.containers(-1));
        return closing;
      },
    };
  }

  /** Destroy in the background: the answer need not wait for Docker to remove a container. */
  retire(sandbox: Sandbox): void {
    const p = sandbox.close().catch(() => undefined);
    this.retiring.add(p);
    void p.finally(() => this.retiring.delete(p));
  }

  /** Resolves when no sandbox is being started for the pool or destroyed. */
  async settle(): Promise<void> {
    await this.pool.settle();
    while (this.retiring.size > 0) await Promise.allSettled([...this.retiring]);
  }

  /** Stop keeping sandboxes warm, let every idle one go, and wait until none is being destroyed. */
  async close(): Promise<void> {
    await this.pool.close();
    await this.settle();
  }
}

/** A uid no other live sandbox is likely to share (per-user kernel limits are host-wide). */
function randomCandidateUid(): number {
  return randomInt(100_000, 2_000_000_000);
}
