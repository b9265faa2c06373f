/**
 * The judge admits its own work: a batch is refused when it is created, before anything of it
 * runs (so a streamed answer can still be a 429), with whatever else its request runs alongside.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QueueFullError, ShuttingDownError } from '../../src/errors.js';
import { normalizeSubmission } from '../../src/judge/normalize.js';
import { submissionRequestSchema } from '../../src/schemas.js';
import { FakeEngine, fakeConfig, fakeJudge, prints } from '../helpers/fake-engine.js';

const config = fakeConfig({ VERDICT_QUEUE_LIMIT: '1' });
const item = { id: 'a', submission: normalizeSubmission(submissionRequestSchema.parse({ language: 'python', source: 'print(1)\n' }), config) };
const options = { priority: 'online' as const, cache: false };

describe('admission by the judge', () => {
  it('refuses a batch that does not fit when it is created, before any sandbox starts', () => {
    const engine = new FakeEngine(() => prints(''));
    const judge = fakeJudge(engine, fakeConfig({ VERDICT_QUEUE_LIMIT: '0' }));
    assert.throws(() => judge.batch([item], options), QueueFullError);
    assert.deepEqual(engine.started, []);
  });

  it('counts what the request runs alongside the batch, so the request is admitted whole', async () => {
    const judge = fakeJudge(new FakeEngine(() => prints('1\n')), fakeConfig({ VERDICT_QUEUE_LIMIT: '0' }));
    const empty = judge.batch([], options);
    assert.equal((await empty.run(() => undefined)).total, 0);
    assert.throws(() => judge.batch([], { ...options, alongside: 1 }), QueueFullError);
  });

  it('judges an admitted batch once, and refuses every batch once draining', async () => {
    const judge = fakeJudge(new FakeEngine(() => prints('1\n')), config);
    const batch = judge.batch([item], options);
    assert.equal((await batch.run(() => undefined)).ok, 1);
    assert.throws(() => batch.run(() => undefined), /judged once/);
    await judge.drain();
    assert.throws(() => judge.batch([item], options), ShuttingDownError);
  });
});
