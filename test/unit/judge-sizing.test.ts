/**
 * Compile memory: a build gets the larger of its compile and run limits, a check only the run
 * limit; the container starts at the compile's size and shrinks to the run's (plus what the build
 * left in the program directory) before the tests. The result cache judges "near the limit" by
 * the same rule, so a result the judge ran well within its limit is cached.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCacheable } from '../../src/judge/cache.js';
import { normalizeSubmission } from '../../src/judge/normalize.js';
import { compileMemoryBytes, containerMemoryBytes, MiB } from '../../src/judge/sizing.js';
import { findLanguage } from '../../src/languages/registry.js';
import { submissionRequestSchema } from '../../src/schemas.js';
import { FakeEngine, fakeConfig, fakeJudge, prints } from '../helpers/fake-engine.js';

const config = fakeConfig();
const limits = { compileMemoryBytes: 512 * MiB, memoryBytes: 64 * MiB, outputBytes: MiB };

describe('compile memory', () => {
  it('is the larger limit for a build, the run limit for a check', () => {
    assert.equal(compileMemoryBytes(findLanguage('cpp')!.compile!, limits), 512 * MiB);
    assert.equal(compileMemoryBytes(findLanguage('cpp')!.compile!, { ...limits, memoryBytes: 1024 * MiB }), 1024 * MiB);
    assert.equal(compileMemoryBytes(findLanguage('python')!.compile!, limits), 64 * MiB);
  });

  it('sizes the container for the compile, then for the run plus what the build left', async () => {
    const sub = normalizeSubmission(submissionRequestSchema.parse({ language: 'cpp', source: 'int main() {}\n', limits, tests: [{ expectedStdout: '' }] }), config);
    const engine = new FakeEngine((run) => (run.argv.includes('./main') ? prints('') : prints('', { boxBytes: 3 * MiB, peakMemoryBytes: 200 * MiB })));
    const judge = fakeJudge(engine, config);
    const result = await judge.submit(sub, { priority: 'online', cache: false });
    await judge.settle();
    assert.equal(result.verdict, 'accepted', JSON.stringify(result));
    assert.equal(engine.started[0]!.memoryBytes, containerMemoryBytes(512 * MiB, MiB));
    assert.deepEqual(engine.memoryChanges, [`fake-1 ${containerMemoryBytes(64 * MiB, MiB) + 3 * MiB}`]);
    // 200 MiB is far past half the run limit, and well within half the compile's.
    assert.equal(isCacheable(result, sub.limits), true);
  });

  it('sizes a checked language\'s container for its run alone', async () => {
    const sub = normalizeSubmission(submissionRequestSchema.parse({ language: 'python', source: 'print(1)\n', limits }), config);
    const engine = new FakeEngine(() => prints(''));
    const judge = fakeJudge(engine, config);
    await judge.submit(sub, { priority: 'online', cache: false });
    await judge.settle();
    assert.equal(engine.started[0]!.memoryBytes, containerMemoryBytes(64 * MiB, MiB));
    assert.deepEqual(engine.memoryChanges, []);
  });
});
