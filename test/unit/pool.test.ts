import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { WarmPool, type PoolObserver } from '../../src/judge/pool.js';

/** Lets pending promise reactions run: the pool fills and lets go in reactions. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A fake sandbox whose removal the test finishes when it wants to. */
class FakeSandbox {
  closed = false;
  private finish: (() => void) | undefined;
  private readonly removal = new Promise<void>((resolve) => {
    this.finish = resolve;
  });

  constructor(
    readonly name: string,
    private readonly instant: boolean,
  ) {}

  close(): Promise<void> {
    this.closed = true;
    if (this.instant) this.finish!();
    return this.removal;
  }

  removed(): void {
    this.finish!();
  }
}

class Harness {
  readonly opened: FakeSandbox[] = [];
  readonly takes: boolean[] = [];
  readonly startFailures: unknown[] = [];
  clock = 0;
  failNext = false;
  instantClose = true;
  readonly pool: WarmPool<FakeSandbox>;

  constructor(options: { maxIdle?: number; maxPerKind?: number; windowMs?: number } = {}) {
    const observer: PoolObserver = {
      poolTake: (hit) => this.takes.push(hit),
      poolStartFailed: (err) => this.startFailures.push(err),
    };
    this.pool = new WarmPool<FakeSandbox>(
      { maxIdle: options.maxIdle ?? 4, maxPerKind: options.maxPerKind ?? 2, windowMs: options.windowMs ?? 1000, now: () => this.clock },
      observer,
    );
  }

  open(kind: string): () => Promise<FakeSandbox> {
    return async () => {
      if (this.failNext) {
        this.failNext = false;
        throw new Error('Docker said no');
      }
      const sandbox = new FakeSandbox(`${kind}${this.opened.length}`, this.instantClose);
      this.opened.push(sandbox);
      return sandbox;
    };
  }

  /** A take whose sandbox is used once and let go (not recycled). */
  async take(kind: string): Promise<FakeSandbox | undefined> {
    const found = this.pool.take(kind, this.open(kind));
    this.pool.giveBack(kind, undefined);
    await this.pool.settle();
    return found;
  }
}

describe('warm pool: demand', () => {
  it('misses first, then hands out what it started in the background, each sandbox once', async () => {
    const h = new Harness();
    assert.equal(await h.take('py'), undefined);
    assert.equal(h.pool.stats().idle, 1, 'one take is demand for one');
    const warm = await h.take('py');
    assert.equal(warm?.name, 'py0');
    assert.notEqual(await h.take('py'), warm, 'never the same sandbox twice');
    assert.deepEqual(h.takes, [false, true, true]);
  });

  it('keeps no more of one kind than maxPerKind, and no more in all than maxIdle', async () => {
    const h = new Harness({ maxIdle: 3, maxPerKind: 2 });
    for (let i = 0; i < 5; i++) await h.take('py');
    assert.equal(h.pool.stats().idle, 2);
    for (let i = 0; i < 5; i++) await h.take('cpp');
    assert.deepEqual({ idle: h.pool.stats().idle, kinds: h.pool.stats().kinds }, { idle: 3, kinds: 2 });
  });

  it('pre-warms ahead of any request', async () => {
    const h = new Harness();
    h.pool.prewarm('py', h.open('py'), 1);
    await h.pool.settle();
    assert.equal(h.pool.stats().idle, 1);
    assert.ok(await h.take('py'));
  });

  it('a failed start is reported and leaves the pool smaller, not broken', async () => {
    const h = new Harness();
    h.failNext = true;
    await h.take('py');
    assert.equal(h.startFailures.length, 1);
    assert.equal(h.pool.stats().idle, 0);
    await h.take('py');
    assert.equal(h.pool.stats().idle, 2, 'the next take fills to the demand of both');
  });

  it('is off with maxIdle 0', async () => {
    const h = new Harness({ maxIdle: 0 });
    assert.equal(await h.take('py'), undefined);
    assert.deepEqual(h.pool.stats(), { idle: 0, starting: 0, closing: 0, kinds: 0, maxIdle: 0 });
    assert.equal(h.opened.length, 0);
  });
});

describe('warm pool: letting go', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setInterval'] }));
  afterEach(() => mock.timers.reset());

  it('lets a kind nobody asked for within a window go, counting it as closing until it is removed', async () => {
    const h = new Harness({ windowMs: 1000 });
    h.instantClose = false;
    await h.take('py');
    await h.take('py');
    assert.equal(h.pool.stats().idle, 2);
    h.clock += 1500;
    mock.timers.tick(1000);
    // The first was handed out by the second take; the other two waited idle.
    const [, a, b] = h.opened;
    assert.ok(a!.closed && b!.closed, 'both idle sandboxes let go');
    assert.deepEqual(h.pool.stats(), { idle: 0, starting: 0, closing: 2, kinds: 0, maxIdle: 4 });

    let settled = false;
    const settling = h.pool.settle().then(() => (settled = true));
    await flush();
    assert.equal(settled, false, 'settle waits for a removal the trim started');
    a!.removed();
    b!.removed();
    await settling;
    assert.equal(h.pool.stats().closing, 0);
  });

  it('trims a kind down to its recent demand and keeps what is still asked for', async () => {
    const h = new Harness({ windowMs: 1000 });
    for (let i = 0; i < 3; i++) await h.take('py');
    h.clock = 800;
    await h.take('py');
    assert.equal(h.pool.stats().idle, 2);
    h.clock = 1500;
    mock.timers.tick(1000);
    await h.pool.settle();
    assert.deepEqual({ idle: h.pool.stats().idle, kinds: h.pool.stats().kinds }, { idle: 1, kinds: 1 }, 'one take in the window: one sandbox');
    assert.equal(h.opened.filter((s) => s.closed).length, 1, 'the other let go');
  });

  it('close stops refilling and removes every idle sandbox', async () => {
    const h = new Harness();
    await h.take('py');
    await h.take('cpp');
    await h.pool.close();
    assert.ok(h.opened.every((s) => s.closed));
    assert.equal(h.pool.take('py', h.open('py')), undefined);
    await h.pool.settle();
    assert.equal(h.opened.length, 2, 'nothing started after close');
  });

  it('removes a sandbox whose start finishes after close', async () => {
    const h = new Harness();
    h.pool.take('py', h.open('py'));
    h.pool.giveBack('py', undefined);
    await h.pool.close();
    assert.equal(h.opened.length, 1);
    assert.ok(h.opened[0]!.closed);
  });
});

describe('warm pool: recycled sandboxes', () => {
  it('keeps a sandbox given back while demand wants it, and starts none while one is out', async () => {
    const h = new Harness({ maxIdle: 4, maxPerKind: 2 });
    assert.equal(h.pool.take('py', h.open('py')), undefined, 'a miss: the caller starts its own');
    await h.pool.settle();
    assert.equal(h.opened.length, 0, 'one take is demand for one, and that one is out');
    const mine = new FakeSandbox('mine', true);
    assert.equal(h.pool.giveBack('py', mine), true);
    assert.equal(h.pool.take('py', h.open('py')), mine, 'the recycled sandbox serves the next take');
    await h.pool.settle();
    assert.equal(h.opened.length, 1, 'a demand of two with one out: one more is started');
    assert.equal(h.pool.giveBack('py', mine), true);
    assert.equal(h.pool.stats().idle, 2);
    for (let i = 0; i < 3; i++) {
      const s = h.pool.take('py', h.open('py'));
      assert.ok(s);
      h.pool.giveBack('py', s);
    }
    await h.pool.settle();
    assert.equal(h.opened.length, 1, 'takes that each give their sandbox back start nothing');
  });

  it('starts a replacement when a taken sandbox is let go instead', async () => {
    const h = new Harness();
    h.pool.take('py', h.open('py'));
    h.pool.giveBack('py', undefined);
    await h.pool.settle();
    assert.equal(h.pool.stats().idle, 1);
  });

  it('refuses what demand does not want, what exceeds maxIdle, and everything once closed', async () => {
    const h = new Harness({ maxIdle: 1, maxPerKind: 2 });
    h.pool.take('py', h.open('py'));
    h.pool.take('py', h.open('py'));
    await h.pool.settle();
    assert.equal(h.pool.giveBack('py', new FakeSandbox('a', true)), true);
    assert.equal(h.pool.giveBack('py', new FakeSandbox('b', true)), false, 'maxIdle 1');
    assert.equal(h.pool.giveBack('cpp', new FakeSandbox('c', true)), false, 'a kind never taken');
    h.pool.take('py', h.open('py'));
    await h.pool.close();
    assert.equal(h.pool.giveBack('py', new FakeSandbox('d', true)), false, 'closed');
  });
});
