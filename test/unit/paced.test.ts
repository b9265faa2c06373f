/**
 * A request's items join the scheduler a few at a time, as its answer is taken: a window of
 * items waiting for a slot, and nothing more while the consumer is not ready.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startPaced } from '../../src/judge/paced.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Items that wait for a slot until `grant()`, then finish at once. */
function harness() {
  const waitingForSlot: Array<() => void> = [];
  const started: number[] = [];
  const start = (_item: number, index: number, begun: () => void) =>
    new Promise<void>((resolve) => {
      started.push(index);
      waitingForSlot.push(() => {
        begun();
        resolve();
      });
    });
  const grant = () => waitingForSlot.shift()?.();
  return { started, start, grant, waiting: () => waitingForSlot.length };
}

describe('paced start', () => {
  it('keeps at most the window waiting for a slot, and starts the next as one gets it', async () => {
    const h = harness();
    const done = startPaced([...Array(10).keys()], 3, {}, h.start);
    await tick();
    assert.deepEqual(h.started, [0, 1, 2]);
    h.grant();
    await tick();
    assert.deepEqual(h.started, [0, 1, 2, 3]);
    for (let i = 0; i < 10; i++) {
      h.grant();
      await tick();
      assert.ok(h.waiting() <= 3);
    }
    await done;
    assert.deepEqual(h.started, [...Array(10).keys()]);
  });

  it('starts nothing more while the consumer is not ready', async () => {
    const h = harness();
    let release: (() => void) | undefined;
    let congested = false;
    const ready = () => (congested ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve());
    const done = startPaced([...Array(10).keys()], 2, { ready }, h.start);
    await tick();
    congested = true;
    for (let i = 0; i < 5; i++) {
      h.grant();
      await tick();
    }
    // Two were started before the consumer fell behind; the window has room again, but the consumer does not.
    assert.deepEqual(h.started, [0, 1]);
    congested = false;
    release!();
    for (let i = 0; i < 20; i++) {
      h.grant();
      await tick();
    }
    await done;
    assert.equal(h.started.length, 10);
  });

  it('starts the rest at once when aborted, so they are answered as cancelled', async () => {
    const controller = new AbortController();
    const h = harness();
    const done = startPaced([...Array(10).keys()], 1, { ready: () => new Promise(() => {}), signal: controller.signal }, h.start);
    await tick();
    assert.deepEqual(h.started, []);
    controller.abort();
    await tick();
    assert.equal(h.started.length, 10);
    while (h.waiting() > 0) h.grant();
    await done;
  });
});
