/**
 * A sandbox whose supervisor reported a run but did not finish wiping after it (it died doing it,
 * or did not answer within the wipe bound): the run's verdict stands, the sandbox is retired,
 * the tests not yet run are skipped and the program is not accepted. Never a retryable error:
 * only Docker itself being gone is one. A fake engine plays the supervisor's side of the protocol,
 * so each way a wipe can end is reached exactly.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../../src/config.js';
import { DockerUnavailableError } from '../../src/errors.js';
import { Judge } from '../../src/judge/judge.js';
import type { BatchItem } from '../../src/judge/submission.js';
import { normalizeSubmission } from '../../src/judge/normalize.js';
import { Metrics } from '../../src/metrics.js';
import { wipeTimeoutMs } from '../../src/sandbox/session.js';
import { submissionRequestSchema, type BatchLine } from '../../src/schemas.js';
import { FakeEngine } from '../helpers/fake-engine.js';

/** What the supervisor does after the RESULT of a run: wipe and say OK, die, hang, or Docker goes away. */
type AfterResult = 'ok' | 'die' | 'hang' | 'docker-gone';

/**
 * A fake engine whose sandboxes answer every run with stdout "ok", then do `after(run number in
 * its sandbox, sandbox number)`; `landlock`: whether the supervisor says it hides the cgroup counters.
 */
function fakeEngine(after: (run: number, sandbox: number) => AfterResult, landlock = true): FakeEngine {
  const engine: FakeEngine = new FakeEngine(
    (run) => ({ record: { stdout: 'ok\n' }, after: after(engine.runs.filter((r) => r.sandbox === run.sandbox).length, run.sandbox) }),
    landlock,
  );
  return engine;
}

const config = parseConfig(
  { LOG_LEVEL: 'silent', VERDICT_CONCURRENCY: '1', VERDICT_POOL_MAX_IDLE: '0', VERDICT_SCRATCH_INODES: '1024' },
  { cpuCount: 1, randomId: 'spent-test' },
);
const images = { image: () => ({ tag: 'verdict/sandbox-python:fake', id: 'sha256:fake', version: 'Python 3' }), refresh: () => Promise.resolve() };

function judgeWith(engine: FakeEngine): Judge {
  const judge: Judge = new Judge(engine.asEngine(), images, config, new Metrics(() => judge.stats()));
  return judge;
}

function submission(tests: number) {
  return normalizeSubmission(
    submissionRequestSchema.parse({
      language: 'python',
      source: 'print("ok")\n',
      tests: Array.from({ length: tests }, (_, i) => ({ id: `t${i}`, expectedStdout: 'ok\n' })),
    }),
    config,
  );
}

const options = { priority: 'online' as const, cache: false };

describe('a sandbox not wiped after a run', () => {
  it('bounds the wait for a wipe by what the inode limits allow', () => {
    assert.equal(wipeTimeoutMs(1024), 5_000 + Math.ceil(3 * 1024 * 0.1));
    assert.ok(wipeTimeoutMs(16_384) < 10_000);
  });

  it('keeps the run it reported, skips the tests not run and is not accepted, when the supervisor dies wiping', async () => {
    const engine = fakeEngine((run) => (run === 2 ? 'die' : 'ok'));
    const judge = judgeWith(engine);
    const result = await judge.submit(submission(4), options);
    await judge.settle();
    assert.deepEqual(
      result.tests.map((t) => [t.verdict, t.sandboxLost ?? false]),
      [
        ['accepted', false],
        ['accepted', true],
        ['skipped', false],
        ['skipped', false],
      ],
    );
    assert.equal(result.verdict, 'runtime_error');
    assert.equal(result.passed, 2);
    assert.deepEqual(engine.destroyed, ['fake-1'], 'the spent sandbox was retired');
  });

  it('does the same when the wipe does not end within its bound', async () => {
    const engine = fakeEngine((run) => (run === 1 ? 'hang' : 'ok'));
    const judge = judgeWith(engine);
    const result = await judge.submit(submission(3), options);
    await judge.settle();
    assert.deepEqual(
      result.tests.map((t) => [t.verdict, t.sandboxLost ?? false]),
      [
        ['accepted', true],
        ['skipped', false],
        ['skipped', false],
      ],
    );
    assert.equal(result.verdict, 'runtime_error');
    assert.deepEqual(engine.destroyed, ['fake-1']);
  });

  it('is accepted when every test ran and passed before the sandbox was spent', async () => {
    const engine = fakeEngine((run) => (run === 2 ? 'die' : 'ok'));
    const result = await judgeWith(engine).submit(submission(2), options);
    assert.equal(result.verdict, 'accepted');
    assert.deepEqual(
      result.tests.map((t) => t.sandboxLost ?? false),
      [false, true],
    );
  });

  it('is never handed to the next program of a batch: that one gets a new sandbox', async () => {
    const judge = (after: (run: number, sandbox: number) => AfterResult) => {
      const engine = fakeEngine(after);
      return { engine, judge: judgeWith(engine) };
    };
    const items: BatchItem[] = [
      { id: 'a', submission: submission(2) },
      { id: 'b', submission: submission(2) },
    ];
    const run = async (j: ReturnType<typeof judge>) => {
      const lines: BatchLine[] = [];
      const summary = await j.judge.batch(items, options).run((line) => lines.push(line));
      await j.judge.settle();
      return { lines, summary };
    };
    // Control: wiped sandboxes are reset and reused.
    const wiped = judge(() => 'ok');
    const control = await run(wiped);
    assert.equal(control.summary.ok, 2);
    assert.equal(wiped.engine.started.length, 1);
    assert.ok(wiped.engine.verbs.includes('fake-1 RESET'));

    const spent = judge((run, sandbox) => (sandbox === 1 && run === 1 ? 'die' : 'ok'));
    const { lines, summary } = await run(spent);
    assert.equal(summary.ok, 2, JSON.stringify(lines));
    assert.equal(summary.error, 0);
    assert.equal(spent.engine.started.length, 2, 'the second program got a new sandbox');
    assert.ok(!spent.engine.verbs.includes('fake-1 RESET'), 'the spent sandbox was not reset for reuse');
    const verdicts = Object.fromEntries(lines.map((l) => [l.id, l.status === 'ok' ? l.result.verdict : l.status]));
    assert.deepEqual(verdicts, { a: 'runtime_error', b: 'accepted' });
  });

  it('is still a retryable error when Docker itself went away during the wipe', async () => {
    const engine = fakeEngine((run) => (run === 1 ? 'docker-gone' : 'ok'));
    const judge = judgeWith(engine);
    await assert.rejects(judge.submit(submission(2), options), DockerUnavailableError);
    await judge.settle();
  });
});

describe('a sandbox whose supervisor cannot hide the cgroup counters (no Landlock)', () => {
  it('is never handed to the next program of a batch: each program gets its own sandbox', async () => {
    const items: BatchItem[] = ['a', 'b', 'c'].map((id) => ({ id, submission: submission(1) }));
    const engine = fakeEngine(() => 'ok', false);
    const judge = judgeWith(engine);
    const lines: BatchLine[] = [];
    const summary = await judge.batch(items, options).run((line) => lines.push(line));
    await judge.settle();
    assert.equal(summary.ok, 3, JSON.stringify(lines));
    assert.equal(engine.started.length, 3, 'one sandbox per program');
    assert.ok(!engine.verbs.some((v) => v.endsWith(' RESET')), 'no sandbox was reset for another candidate');
    assert.deepEqual(engine.destroyed.sort(), ['fake-1', 'fake-2', 'fake-3']);
  });
});
