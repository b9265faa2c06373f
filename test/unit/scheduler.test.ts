import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { Scheduler, type Flow, type SchedulerStats, type Slot } from '../../src/judge/scheduler.js';
import { CancelledError, QueueFullError, ShuttingDownError } from '../../src/errors.js';

/** Lets every pending promise reaction run: the scheduler frees slots in reactions, not synchronously. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** mulberry32: deterministic, so a failure of a random run reproduces. */
function seeded(initial: number): { random: () => number; pick: <T>(xs: readonly T[]) => T } {
  let seed = initial;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  return { random, pick: (xs) => xs[Math.floor(random() * xs.length)]! };
}

interface Pending {
  signal: AbortSignal;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** Fake tasks that stay running until the test ends them by name. */
class Tasks {
  readonly started: string[] = [];
  active = 0;
  maxActive = 0;
  private readonly pending = new Map<string, Pending>();

  make(name: string): (signal: AbortSignal) => Promise<string> {
    return (signal) => {
      this.started.push(name);
      this.active++;
      this.maxActive = Math.max(this.maxActive, this.active);
      return new Promise<string>((resolve, reject) => {
        const done = () => {
          this.active--;
          this.pending.delete(name);
        };
        this.pending.set(name, {
          signal,
          resolve: () => {
            done();
            resolve(name);
          },
          reject: (err) => {
            done();
            reject(err);
          },
        });
      });
    };
  }

  /** Queue `names` on `flow`, keeping the promises (with a handler attached, so cancellations are not unhandled). */
  run(flow: Flow, ...names: string[]): Promise<string>[] {
    return names.map((name) => {
      const p = flow.run(this.make(name));
      p.catch(() => {});
      return p;
    });
  }

  /** A task of `steps` steps (`name.0`, `name.1`, …), each running until finished by name, yielding its slot in between. */
  makeSteps(name: string, steps: number): (signal: AbortSignal, slot: Slot) => Promise<string> {
    return async (signal, slot) => {
      for (let i = 0; i < steps; i++) {
        if (i > 0) await slot.yield();
        await this.make(`${name}.${i}`)(signal);
      }
      return name;
    };
  }

  runSteps(flow: Flow, name: string, steps: number): Promise<string> {
    const p = flow.run(this.makeSteps(name, steps));
    p.catch(() => {});
    return p;
  }

  signal(name: string): AbortSignal {
    return this.get(name).signal;
  }

  async finish(name: string): Promise<void> {
    this.get(name).resolve();
    await settle();
  }

  async fail(name: string, err: unknown = new Error(`${name} failed`)): Promise<void> {
    this.get(name).reject(err);
    await settle();
  }

  isRunning(name: string): boolean {
    return this.pending.has(name);
  }

  private get(name: string): Pending {
    const p = this.pending.get(name);
    assert.ok(p, `${name} is not running`);
    return p;
  }
}

const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

function expectStats(s: Scheduler, expected: Partial<SchedulerStats>): void {
  const actual = s.stats();
  const picked = Object.fromEntries(Object.keys(expected).map((k) => [k, actual[k as keyof SchedulerStats]]));
  assert.deepEqual(picked, expected);
}

async function rejectsWith<E extends Error>(p: Promise<unknown>, type: new (...args: never[]) => E, message?: RegExp): Promise<E> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof type, `expected ${type.name}, got ${String(err)}`);
    if (message) assert.match(err.message, message);
    return err;
  }
  assert.fail(`expected a ${type.name} rejection`);
}

describe('scheduler: slots', () => {
  it('never runs more tasks than its concurrency', async () => {
    const s = new Scheduler({ concurrency: 2, queueLimit: 100 });
    const t = new Tasks();
    const f = s.flow('offline');
    t.run(f, ...names('t', 5));
    assert.deepEqual(t.started, ['t0', 't1']);
    expectStats(s, { running: 2, queued: 3, waitingRequests: 1 });
    assert.equal(f.running, 2);
    assert.equal(f.queued, 3);
    await t.finish('t0');
    assert.deepEqual(t.started, ['t0', 't1', 't2']);
    expectStats(s, { running: 2, queued: 2 });
    await t.finish('t1');
    await t.finish('t2');
    await t.finish('t3');
    expectStats(s, { running: 1, queued: 0, waitingRequests: 0 });
    await t.finish('t4');
    expectStats(s, { running: 0, queued: 0, waitingRequests: 0 });
    assert.equal(t.maxActive, 2);
  });

  it('starts tasks in order within a flow', async () => {
    const s = new Scheduler({ concurrency: 1, queueLimit: 100 });
    const t = new Tasks();
    const f = s.flow('online');
    const results = t.run(f, ...names('t', 5));
    for (const name of names('t', 5)) await t.finish(name);
    assert.deepEqual(t.started, names('t', 5));
    assert.deepEqual(await Promise.all(results), names('t', 5));
  });

  it('frees the slot of a task that rejects or throws', async () => {
    const s = new Scheduler({ concurrency: 1, queueLimit: 100 });
    const t = new Tasks();
    const f = s.flow('online');
    const boom = new Error('boom');
    const [first] = t.run(f, 'a');
    // Not an async function: the throw happens when the scheduler calls it.
    const thrown = f
      .run(() => {
        throw boom;
      })
      .catch((e: unknown) => e);
    const [after] = t.run(f, 'b');
    await t.fail('a', new Error('a failed'));
    await rejectsWith(first!, Error, /a failed/);
    assert.equal(await thrown, boom);
    assert.deepEqual(t.started, ['a', 'b']);
    expectStats(s, { running: 1, queued: 0 });
    await t.finish('b');
    assert.equal(await after, 'b');
    expectStats(s, { running: 0, queued: 0 });
  });

  it('keeps the bound when a task queues more work as it starts', async () => {
    const s = new Scheduler({ concurrency: 2, queueLimit: 100 });
    const t = new Tasks();
    const f = s.flow('online');
    const spawn = t.make('spawner');
    void f.run((signal) => {
      t.run(f, 'child0', 'child1', 'child2');
      return spawn(signal);
    });
    assert.deepEqual(t.started, ['spawner', 'child0']);
    expectStats(s, { running: 2, queued: 2 });
    await t.finish('spawner');
    await t.finish('child0');
    await t.finish('child1');
    await t.finish('child2');
    assert.equal(t.maxActive, 2);
    expectStats(s, { running: 0, queued: 0, waitingRequests: 0 });
  });
});

describe('scheduler: fairness', () => {
  it('lets a later single task in after at most one task of a huge flow', async () => {
    const s = new Scheduler({ concurrency: 2, queueLimit: 10_000 });
    const t = new Tasks();
    const big = s.flow('offline');
    t.run(big, ...names('big', 1000));
    const small = s.flow('offline');
    t.run(small, 'small');
    expectStats(s, { running: 2, queued: 999, waitingRequests: 2 });
    await t.finish('big0');
    await t.finish('big1');
    assert.deepEqual(t.started, ['big0', 'big1', 'big2', 'small']);
    expectStats(s, { running: 2, queued: 997, waitingRequests: 1 });
  });

  it('alternates between flows of a class, one task per turn', async () => {
    const s = new Scheduler({ concurrency: 1, queueLimit: 100 });
    const t = new Tasks();
    const a = s.flow('offline');
    const b = s.flow('offline');
    const c = s.flow('offline');
    t.run(a, 'a0', 'a1', 'a2');
    t.run(b, 'b0', 'b1');
    t.run(c, 'c0');
    expectStats(s, { waitingRequests: 3, queued: 5 });
    while (t.started.length < 6) await t.finish(t.started.at(-1)!);
    assert.deepEqual(t.started, ['a0', 'a1', 'b0', 'c0', 'a2', 'b1']);
  });

  it('serves online before offline, whatever came first', async () => {
    const s = new Scheduler({ concurrency: 1, queueLimit: 100 });
    const t = new Tasks();
    const bulk = s.flow('offline');
    t.run(bulk, 'off0', 'off1', 'off2');
    const rl = s.flow('online');
    t.run(rl, 'on0', 'on1');
    await t.finish('off0');
    await t.finish('on0');
    await t.finish('on1');
    await t.finish('off1');
    assert.deepEqual(t.started, ['off0', 'on0', 'on1', 'off1', 'off2']);
  });

  it('drops a flow from the ring once nothing of it is queued', async () => {
    const s = new Scheduler({ concurrency: 1, queueLimit: 100 });
    const t = new Tasks();
    const controller = new AbortController();
    const f = s.flow('online', controller.signal);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    t.run(f, 'a', 'b');
    expectStats(s, { waitingRequests: 1, queued: 1 });
    assert.equal(getEventListeners(controller.signal, 'abort').length, 1);
    await t.finish('a');
    // b runs, nothing of the flow waits: it is out of the ring.
    expectStats(s, { waitingRequests: 0, queued: 0, running: 1 });
    await t.finish('b');
    // Idle: the signal no longer reaches the flow either.
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    // And it comes back when it has work again.
    t.run(f, 'c', 'd');
    expectStats(s, { waitingRequests: 1, queued: 1, running: 1 });
  });
});

describe('scheduler: admission', () => {
  it('refuses with a retryable 429 exactly past the limit', async () => {
    const s = new Scheduler({ concurrency: 1, queueLimit: 3 });
    const t = new Tasks();
    s.admit(3);
    assert.throws(() => s.admit(4), QueueFullError);
    const f = s.flow('online');
    // The running task takes a slot, not a queue place.
    t.run(f, 'r', 'q0', 'q1');
    expectStats(s, { running: 1, queued: 2, saturated: false });
    s.admit(1);
    assert.throws(() => s.admit(2), QueueFullError);
    t.run(f, 'q2');
    expectStats(s, { queued: 3, saturated: true });
    s.admit(0);
    let caught: unknown;
    try {
      s.admit(1);
    } catch (err) {
      caught = err;
    }
    assert.ok(caught instanceof QueueFullError);
    assert.equal(caught.statusCode, 429);
    assert.equal(caught.code, 'VERDICT_QUEUE_FULL');
    assert.equal(caught.retryable, true);
    assert.ok(caught.retryAfterSeconds >= 1 && caught.retryAfterSeconds <= 60);
    assert.equal(caught.retryAfterSeconds, s.retryAfterSeconds());
    // run() does not refuse for size: the request holding the flow was admitted.
    t.run(f, 'q3');
    expectStats(s, { queued: 4, saturated: true });
    await t.finish('r');
    expectStats(s, { queued: 3, saturated: true });
    await t.finish('q0');
    expectStats(s, { queued: 2, saturated: false });
    s.admit(1);
  });

  it('estimates Retry-After from queue depth and the mean task duration', async () => {
    let clock = 0;
    const s = new Scheduler({ concurrency: 2, queueLimit: 1000, now: () => clock });
    const t = new Tasks();
    const f = s.flow('offline');
    assert.equal(s.retryAfterSeconds(), 1, 'nothing known yet');
    t.run(f, 'warm0', 'warm1');
    clock += 10_000;
    await t.finish('warm0');
    await t.finish('warm1');
    // Mean 10 s; an empty queue still says at least 1.
    assert.equal(s.retryAfterSeconds(), 1);

    t.run(f, 'busy0', 'busy1');
    const seen: number[] = [];
    for (const depth of [1, 2, 4, 8, 12, 20]) {
      t.run(f, ...names(`d${depth}-`, depth - s.stats().queued));
      assert.equal(s.stats().queued, depth);
      seen.push(s.retryAfterSeconds());
    }
    // depth / 2 slots × 10 s, rounded up, clamped to 60.
    assert.deepEqual(seen, [5, 10, 20, 40, 60, 60]);
    assert.throws(
      () => s.admit(1000),
      (err: unknown) => err instanceof QueueFullError && err.retryAfterSeconds === 60,
    );

    // Shorter tasks pull the estimate down.
    clock += 1000;
    await t.finish('busy0');
    await t.finish('busy1');
    const before = s.retryAfterSeconds();
    for (let i = 0; i < 20; i++) {
      const name = t.started.find((n) => t.isRunning(n))!;
      await t.finish(name);
    }
    assert.ok(s.retryAfterSeconds() < before);
  });
});

describe('scheduler: cancellation', () => {
  it('rejects the queued tasks of an aborted flow, signals its running ones, and spares other flows', async () => {
    const s = new Scheduler({ concurrency: 2, queueLimit: 100 });
    const t = new Tasks();
    const controller = new AbortController();
    const a = s.flow('online', controller.signal);
    const b = s.flow('online');
    const [a0] = t.run(a, 'a0');
    t.run(b, 'b0');
    const [a1, a2] = t.run(a, 'a1', 'a2');
    t.run(b, 'b1');
    assert.deepEqual(t.started, ['a0', 'b0']);
    expectStats(s, { running: 2, queued: 3, waitingRequests: 2 });

    controller.abort('the client disconnected');
    await rejectsWith(a1!, CancelledError, /the client disconnected/);
    await rejectsWith(a2!, CancelledError, /the client disconnected/);
    assert.equal(t.signal('a0').aborted, true);
    assert.equal(t.signal('b0').aborted, false);
    // a0 still holds its slot until it stops.
    expectStats(s, { running: 2, queued: 1, waitingRequests: 1 });
    assert.equal(a.queued, 0);
    assert.equal(a.running, 1);

    await t.fail('a0', t.signal('a0').reason);
    assert.equal(await a0!.catch((e: unknown) => e), 'the client disconnected');
    assert.deepEqual(t.started, ['a0', 'b0', 'b1']);
    expectStats(s, { running: 2, queued: 0, waitingRequests: 0 });
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);

    // Later tasks of the aborted flow never start.
    await rejectsWith(a.run(t.make('late')), CancelledError);
    assert.equal(t.started.includes('late'), false);
    await t.finish('b0');
    await t.finish('b1');
    expectStats(s, { running: 0, queued: 0 });
  });

  it('rejects at once the tasks of a flow whose signal was already aborted', async () => {
    const s = new Scheduler({ concurrency: 1, queueLimit: 100 });
    const t = new Tasks();
    const f = s.flow('offline', AbortSignal.abort());
    await rejectsWith(f.run(t.make('x')), CancelledError, /the client disconnected or the deadline passed/);
    assert.deepEqual(t.started, []);
    expectStats(s, { running: 0, queued: 0, waitingRequests: 0 });
  });

  it('says why the flow was aborted', async () => {
    const s = new Scheduler({ concurrency: 1, queueLimit: 100 });
    const t = new Tasks();
    const blocker = s.flow('online');
    t.run(blocker, 'block');
    const cases: [unknown, RegExp][] = [
      [undefined, /the client disconnected or the deadline passed/],
      [new DOMException('The operation was aborted due to timeout', 'TimeoutError'), /the deadline passed/],
      [new Error('batch deadline of 30 s passed'), /batch deadline of 30 s passed/],
      ['client went away', /client went away/],
    ];
    for (const [reason, message] of cases) {
      const controller = new AbortController();
      const f = s.flow('online', controller.signal);
      const [p] = t.run(f, 'never');
      controller.abort(reason);
      const err = await rejectsWith(p!, CancelledError, message);
      assert.equal(err.statusCode, 499);
    }
    assert.deepEqual(t.started, ['block']);
  });

  it('keeps the queue consistent when the task starting aborts another flow', async () => {
    const s = new Scheduler({ concurrency: 1, queueLimit: 100 });
    const t = new Tasks();
    const controller = new AbortController();
    const victim = s.flow('online', controller.signal);
    const killer = s.flow('online');
    const block = s.flow('online');
    t.run(block, 'block');
    const go = t.make('killer');
    void killer.run((signal) => {
      controller.abort();
      return go(signal);
    });
    const [v] = t.run(victim, 'victim');
    await t.finish('block');
    await rejectsWith(v!, CancelledError);
    assert.deepEqual(t.started, ['block', 'killer']);
    expectStats(s, { running: 1, queued: 0, waitingRequests: 0 });
  });
});

describe('scheduler: drain', () => {
  it('waits for queued and running tasks and refuses new ones', async () => {
    const s = new Scheduler({ concurrency: 1, queueLimit: 100 });
    const t = new Tasks();
    const f = s.flow('online');
    const [a, b] = t.run(f, 'a', 'b');
    let drained = false;
    const draining = s.drain().then(() => {
      drained = true;
    });
    assert.throws(() => s.flow('offline'), ShuttingDownError);
    assert.throws(() => s.admit(1), ShuttingDownError);
    await rejectsWith(f.run(t.make('late')), ShuttingDownError);
    await t.finish('a');
    assert.equal(drained, false);
    assert.deepEqual(t.started, ['a', 'b']);
    await t.finish('b');
    await draining;
    assert.equal(drained, true);
    assert.deepEqual(await Promise.all([a, b]), ['a', 'b']);
    expectStats(s, { running: 0, queued: 0 });
  });

  it('resolves at once when idle, and when an abort empties the queue', async () => {
    await new Scheduler({ concurrency: 1, queueLimit: 1 }).drain();
    const s = new Scheduler({ concurrency: 1, queueLimit: 100 });
    const t = new Tasks();
    const controller = new AbortController();
    const f = s.flow('online', controller.signal);
    t.run(f, 'a', 'b', 'c');
    const draining = s.drain();
    controller.abort();
    await t.fail('a', new Error('killed'));
    await draining;
    assert.deepEqual(t.started, ['a']);
  });
});

describe('scheduler: slots held per step', () => {
  it('a task yields its slot between steps to a waiting request and resumes at its turn', async () => {
    const s = new Scheduler({ concurrency: 1, queueLimit: 100 });
    const t = new Tasks();
    const long = s.flow('online');
    const done = t.runSteps(long, 'long', 3);
    const small = s.flow('online');
    t.run(small, 'small');
    await t.finish('long.0');
    // The later request ran after one step of the long task, not after all three.
    assert.deepEqual(t.started, ['long.0', 'small']);
    expectStats(s, { running: 1, paused: 1, queued: 0, waitingRequests: 1 });
    assert.equal(long.paused, 1);
    assert.equal(long.running, 0);
    await t.finish('small');
    expectStats(s, { running: 1, paused: 0, waitingRequests: 0 });
    // Nobody else waits: the next step goes on without giving the slot up.
    await t.finish('long.1');
    await t.finish('long.2');
    assert.deepEqual(t.started, ['long.0', 'small', 'long.1', 'long.2']);
    assert.equal(await done, 'long');
    expectStats(s, { running: 0, paused: 0, queued: 0, waitingRequests: 0 });
    assert.equal(t.maxActive, 1);
  });

  it('keeps its slot when only its own flow waits, or only a lower class', async () => {
    const s = new Scheduler({ concurrency: 1, queueLimit: 100 });
    const t = new Tasks();
    const batch = s.flow('online');
    t.runSteps(batch, 'a', 2);
    t.run(batch, 'b');
    t.run(s.flow('offline'), 'bulk');
    await t.finish('a.0');
    assert.deepEqual(t.started, ['a.0', 'a.1']);
    expectStats(s, { paused: 0, queued: 2 });
    await t.finish('a.1');
    await t.finish('b');
    assert.deepEqual(t.started, ['a.0', 'a.1', 'b', 'bulk']);
  });

  it('an offline task yields to an online request', async () => {
    const s = new Scheduler({ concurrency: 1, queueLimit: 100 });
    const t = new Tasks();
    t.runSteps(s.flow('offline'), 'bulk', 2);
    t.run(s.flow('online'), 'rl');
    await t.finish('bulk.0');
    assert.deepEqual(t.started, ['bulk.0', 'rl']);
    await t.finish('rl');
    assert.deepEqual(t.started, ['bulk.0', 'rl', 'bulk.1']);
  });

  it('bounds the wait of a later request by one step per slot, behind many long tasks', async () => {
    const s = new Scheduler({ concurrency: 2, queueLimit: 100 });
    const t = new Tasks();
    t.runSteps(s.flow('online'), 'x', 100);
    t.runSteps(s.flow('online'), 'y', 100);
    const small = s.flow('online');
    t.run(small, 'small');
    await t.finish('x.0');
    assert.ok(t.isRunning('small'), `started: ${t.started.join(' ')}`);
    assert.ok(t.isRunning('y.0'));
    // And the long task lost nothing: it goes on where it stopped.
    await t.finish('small');
    assert.ok(t.isRunning('x.1'), `started: ${t.started.join(' ')}`);
  });

  it('pauses at most maxPaused tasks; past it, started tasks still take turns and new ones wait', async () => {
    const s = new Scheduler({ concurrency: 1, queueLimit: 100, maxPaused: 1 });
    const t = new Tasks();
    t.runSteps(s.flow('online'), 'a', 3);
    t.runSteps(s.flow('online'), 'b', 3);
    t.run(s.flow('online'), 'c');
    await t.finish('a.0');
    assert.deepEqual(t.started, ['a.0', 'b.0']);
    expectStats(s, { paused: 1 });
    // The cap is reached and c's turn is next: b keeps its slot rather than leave a second sandbox paused.
    await t.finish('b.0');
    assert.deepEqual(t.started, ['a.0', 'b.0', 'b.1']);
    expectStats(s, { paused: 1, running: 1 });
    await t.finish('b.1');
    await t.finish('b.2');
    // b done: c (its turn came before a's resumption) and then a.
    assert.deepEqual(t.started, ['a.0', 'b.0', 'b.1', 'b.2', 'c']);
    await t.finish('c');
    await t.finish('a.1');
    await t.finish('a.2');
    assert.deepEqual(t.started, ['a.0', 'b.0', 'b.1', 'b.2', 'c', 'a.1', 'a.2']);
    expectStats(s, { running: 0, paused: 0, queued: 0, waitingRequests: 0 });

    // At the cap, a paused task may still take the slot: the number paused stays the same.
    t.started.length = 0;
    t.runSteps(s.flow('online'), 'p', 3);
    t.runSteps(s.flow('online'), 'q', 3);
    while (t.started.length < 6) await t.finish(t.started.at(-1)!);
    assert.deepEqual(t.started, ['p.0', 'q.0', 'p.1', 'q.1', 'p.2', 'q.2']);
    assert.ok(s.stats().paused <= 1);
  });

  it('rejects the yield of a paused task when its flow is aborted, and forgets it', async () => {
    const s = new Scheduler({ concurrency: 1, queueLimit: 100 });
    const t = new Tasks();
    const controller = new AbortController();
    const long = s.flow('online', controller.signal);
    const done = t.runSteps(long, 'long', 3);
    t.run(s.flow('online'), 'small');
    await t.finish('long.0');
    expectStats(s, { paused: 1, running: 1 });
    controller.abort('the client disconnected');
    await rejectsWith(done, CancelledError, /the client disconnected/);
    expectStats(s, { paused: 0, running: 1, waitingRequests: 0 });
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    await t.finish('small');
    expectStats(s, { running: 0, paused: 0 });
    assert.equal(t.started.includes('long.1'), false);
  });

  it('drain waits for paused tasks too', async () => {
    const s = new Scheduler({ concurrency: 1, queueLimit: 100 });
    const t = new Tasks();
    const done = t.runSteps(s.flow('online'), 'long', 2);
    t.run(s.flow('online'), 'small');
    await t.finish('long.0');
    let drained = false;
    const draining = s.drain().then(() => {
      drained = true;
    });
    await t.finish('small');
    assert.equal(drained, false);
    await t.finish('long.1');
    await draining;
    assert.equal(await done, 'long');
  });

  it('counts the time a task held a slot, not the time it was paused, for Retry-After', async () => {
    let clock = 0;
    const s = new Scheduler({ concurrency: 1, queueLimit: 100, now: () => clock });
    const t = new Tasks();
    const long = s.flow('online');
    t.runSteps(long, 'long', 2);
    t.run(s.flow('online'), 'small');
    clock += 1000;
    await t.finish('long.0');
    clock += 60_000;
    await t.finish('small');
    clock += 1000;
    t.run(s.flow('online'), 'q0', 'q1');
    await t.finish('long.1');
    // Mean of 60 s (small) and 2 s (long's two steps), weighted 0.2 toward the newest: 48.4 s; 1 queued on 1 slot.
    assert.equal(s.retryAfterSeconds(), 49);
  });
});

describe('scheduler: a shared queue', () => {
  it('counts each request for at most its share, so big batches leave room for later requests', async () => {
    const s = new Scheduler({ concurrency: 2, queueLimit: 6, share: 2 });
    const t = new Tasks();
    s.admit(10);
    t.run(s.flow('online'), ...names('a', 10));
    s.admit(10);
    t.run(s.flow('online'), ...names('b', 10));
    expectStats(s, { running: 2, queued: 18, queueUsed: 4, saturated: false });
    // A third request fits, whatever its size: it counts for two places at most.
    s.admit(1);
    s.admit(500);
    const c = s.flow('online');
    t.run(c, 'c0', 'c1', 'c2');
    expectStats(s, { queued: 21, queueUsed: 6, saturated: true });
    // True overload still refuses.
    assert.throws(() => s.admit(1), QueueFullError);
    // Turns still go round: c's first task starts after one more task of each batch.
    await t.finish('a0');
    await t.finish('a1');
    await t.finish('a2');
    assert.deepEqual(t.started, ['a0', 'a1', 'a2', 'b0', 'c0']);
    // A flow whose queue drops below its share gives places back.
    await t.finish('c0');
    await t.finish('b0');
    await t.finish('a3');
    assert.ok(t.isRunning('c1'), `started: ${t.started.join(' ')}`);
    assert.equal(c.queued, 1);
    expectStats(s, { queueUsed: 5, saturated: false });
    s.admit(1);
  });

  it('gives back every place of an aborted flow', () => {
    const s = new Scheduler({ concurrency: 1, queueLimit: 4, share: 3 });
    const t = new Tasks();
    const controller = new AbortController();
    t.run(s.flow('online', controller.signal), ...names('a', 8));
    expectStats(s, { queued: 7, queueUsed: 3 });
    controller.abort();
    expectStats(s, { queued: 0, queueUsed: 0, saturated: false });
  });
});

describe('scheduler: invariants under random operations', () => {
  it('holds its bookkeeping through a seeded random run', async () => {
    const { random, pick } = seeded(0x5eed);

    const concurrency = 3;
    const s = new Scheduler({ concurrency, queueLimit: 1_000_000 });
    const t = new Tasks();
    const flows: { flow: Flow; controller: AbortController; names: string[] }[] = [];
    const cancelled = new Set<string>();
    let n = 0;

    for (let step = 0; step < 2000; step++) {
      const r = random();
      if (r < 0.1 || flows.length === 0) {
        const controller = new AbortController();
        flows.push({ flow: s.flow(random() < 0.5 ? 'online' : 'offline', controller.signal), controller, names: [] });
      } else if (r < 0.5) {
        const entry = pick(flows);
        const batch = names(`n${n++}-`, 1 + Math.floor(random() * 4));
        entry.names.push(...batch);
        for (const [i, p] of t.run(entry.flow, ...batch).entries()) {
          p.catch((err: unknown) => {
            if (err instanceof CancelledError) cancelled.add(batch[i]!);
          });
        }
      } else if (r < 0.9) {
        const running = t.started.filter((name) => t.isRunning(name));
        if (running.length > 0) {
          const name = pick(running);
          if (random() < 0.8) await t.finish(name);
          else await t.fail(name);
        }
      } else {
        pick(flows).controller.abort();
        await settle();
      }

      const stats = s.stats();
      const queued = flows.reduce((sum, f) => sum + f.flow.queued, 0);
      const running = flows.reduce((sum, f) => sum + f.flow.running, 0);
      assert.equal(stats.queued, queued);
      assert.equal(stats.running, running);
      assert.equal(stats.running, t.active);
      assert.equal(stats.waitingRequests, flows.filter((f) => f.flow.queued > 0).length);
      assert.ok(stats.running <= concurrency);
      // Work-conserving: a free slot never sits beside a queued task.
      if (stats.queued > 0) assert.equal(stats.running, concurrency);
    }
    assert.equal(t.maxActive, concurrency);
    assert.ok(cancelled.size > 0, 'the run should have cancelled something');
    const started = new Set(t.started);
    for (const name of cancelled) assert.equal(started.has(name), false, `${name} started after it was cancelled`);
  });

  it('holds its bookkeeping with tasks that yield, shares and a pause cap', async () => {
    const { random, pick } = seeded(0xfa1e);

    const concurrency = 3;
    const share = 2;
    const maxPaused = 2;
    const s = new Scheduler({ concurrency, queueLimit: 1_000_000, share, maxPaused });
    const t = new Tasks();
    const flows: { flow: Flow; controller: AbortController }[] = [];
    let n = 0;
    let maxPausedSeen = 0;

    for (let step = 0; step < 3000; step++) {
      const r = random();
      if (r < 0.08 || flows.length === 0) {
        const controller = new AbortController();
        flows.push({ flow: s.flow(random() < 0.5 ? 'online' : 'offline', controller.signal), controller });
      } else if (r < 0.4) {
        const { flow } = pick(flows);
        for (let i = 1 + Math.floor(random() * 3); i > 0; i--) t.runSteps(flow, `n${n++}`, 1 + Math.floor(random() * 5));
      } else if (r < 0.95) {
        const running = t.started.filter((name) => t.isRunning(name));
        if (running.length > 0) {
          const name = pick(running);
          if (random() < 0.9) await t.finish(name);
          else await t.fail(name);
        }
      } else {
        pick(flows).controller.abort();
        await settle();
      }

      const stats = s.stats();
      const sum = (f: (flow: Flow) => number) => flows.reduce((total, entry) => total + f(entry.flow), 0);
      assert.equal(stats.queued, sum((f) => f.queued));
      assert.equal(stats.queueUsed, sum((f) => Math.min(f.queued, share)));
      assert.equal(stats.running, sum((f) => f.running));
      assert.equal(stats.paused, sum((f) => f.paused));
      assert.equal(stats.running, t.active);
      assert.equal(stats.waitingRequests, flows.filter((f) => f.flow.queued > 0 || f.flow.paused > 0).length);
      assert.ok(stats.running <= concurrency);
      assert.ok(stats.paused <= maxPaused, `${stats.paused} paused`);
      maxPausedSeen = Math.max(maxPausedSeen, stats.paused);
      // Work-conserving: a free slot never sits beside a queued or paused task.
      if (stats.queued + stats.paused > 0) assert.equal(stats.running, concurrency);
    }
    assert.equal(maxPausedSeen, maxPaused, 'the run should have reached the pause cap');
  });
});
