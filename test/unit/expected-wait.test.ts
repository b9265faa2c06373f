/** The scheduler's expected wait for a new request's first slot, on an injected clock. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Scheduler } from '../../src/judge/scheduler.js';

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('Scheduler.expectedWaitMs', () => {
  it('is 0 without history and while a slot is free; then turns ahead × mean hold / concurrency', async () => {
    let now = 0;
    const s = new Scheduler({ concurrency: 2, queueLimit: 100, now: () => now });
    assert.equal(s.expectedWaitMs('online'), 0, 'no history: nothing to estimate from');

    // Two tasks held 1000 ms each set the mean hold.
    const release: (() => void)[] = [];
    const hold = () => new Promise<void>((resolve) => release.push(resolve));
    const first = [s.flow('online').run(hold), s.flow('online').run(hold)];
    now = 1000;
    release.splice(0).forEach((r) => r());
    await Promise.all(first);
    assert.equal(s.expectedWaitMs('online'), 0, 'both slots free');

    // Both slots busy, three online flows and two offline tasks waiting.
    for (let i = 0; i < 5; i++) void s.flow('online').run(hold);
    const offline = s.flow('offline');
    void offline.run(hold);
    void offline.run(hold);
    await settle();
    assert.equal(s.stats().running, 2);
    // online: 3 flows ahead + its own turn = 4 turns of 1000 ms over 2 slots.
    assert.equal(s.expectedWaitMs('online'), 2000);
    // offline: every waiting online task (3) + the 1 offline flow + its own turn = 5 turns.
    assert.equal(s.expectedWaitMs('offline'), 2500);
    now = 2000;
    while (release.length > 0) {
      release.splice(0).forEach((r) => r());
      await settle();
    }
  });
});
