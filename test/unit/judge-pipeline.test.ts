/**
 * The judge end to end on a fake engine (test/helpers/fake-engine.ts): the real facade, pipeline,
 * sessions and protocol parser, with the supervisor's records scripted. What Docker would decide
 * (the records) is fixed; what the judge makes of them is what is tested.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SandboxFailedError } from '../../src/errors.js';
import { normalizeSubmission } from '../../src/judge/normalize.js';
import type { Submission } from '../../src/judge/submission.js';
import { submissionRequestSchema, type BatchLine, type SubmissionRequest } from '../../src/schemas.js';
import { FakeEngine, fails, fakeConfig, fakeJudge, prints, type Script, type SeenRun } from '../helpers/fake-engine.js';

const config = fakeConfig();
const options = { priority: 'online' as const, cache: false };

function submission(request: Partial<SubmissionRequest> & { language: string }): Submission {
  return normalizeSubmission(submissionRequestSchema.parse({ source: 'print(1)\n', ...request }), config);
}

const isCheck = (run: SeenRun) => run.argv[1] === '/opt/verdict/python/check.py';

async function judged(script: Script, sub: Submission) {
  const engine = new FakeEngine(script);
  const judge = fakeJudge(engine, config);
  const result = await judge.submit(sub, options);
  await judge.settle();
  return { engine, result };
}

describe('Python\'s deferred syntax check, through the judge', () => {
  const twoTests = submission({ language: 'python', tests: [{ expectedStdout: '1\n' }, { expectedStdout: '1\n' }] });

  it('never runs for a program whose tests pass', async () => {
    const { engine, result } = await judged(() => prints('1\n'), twoTests);
    assert.equal(result.verdict, 'accepted');
    assert.equal(result.compile, null);
    assert.equal(engine.runs.filter(isCheck).length, 0);
  });

  it('runs after a test fails with a SyntaxError, and its failure makes the verdict a compile error', async () => {
    const script: Script = (run) => (isCheck(run) ? fails(1, 'main.py:1: SyntaxError: invalid syntax\n') : fails(1, 'SyntaxError: invalid syntax\n'));
    const { engine, result } = await judged(script, twoTests);
    assert.equal(result.verdict, 'compile_error');
    assert.equal(result.compile?.status, 'failed');
    assert.deepEqual(
      result.tests.map((t) => t.verdict),
      ['skipped', 'skipped'],
    );
    assert.deepEqual(
      engine.runs.map((r) => [isCheck(r), r.phase]),
      [
        [false, 'test'],
        [true, 'test'],
      ],
      'one test, then the check, in the sealed program directory',
    );
  });

  it('leaves the runtime error standing when the program raised the SyntaxError itself', async () => {
    const script: Script = (run) => (isCheck(run) ? prints('') : fails(1, 'SyntaxError: raised by the program\n'));
    const { engine, result } = await judged(script, submission({ language: 'python', stopOnFirstFailure: false, tests: [{ expectedStdout: '1\n' }, { expectedStdout: '1\n' }] }));
    assert.equal(result.verdict, 'runtime_error');
    assert.equal(result.compile?.status, 'ok');
    assert.equal(engine.runs.filter(isCheck).length, 1, 'checked once, not after every failing test');
  });

  it('is not called for by another error', async () => {
    const { engine, result } = await judged(() => fails(1, 'ZeroDivisionError: division by zero\n'), twoTests);
    assert.equal(result.verdict, 'runtime_error');
    assert.equal(engine.runs.filter(isCheck).length, 0);
  });
});

describe('a sandbox lost during a run', () => {
  const threeTests = submission({ language: 'python', tests: [{ expectedStdout: '1\n' }, { expectedStdout: '1\n' }, { expectedStdout: '1\n' }] });

  it('is a typed, retryable error when the supervisor crashed: never a verdict', async () => {
    let runs = 0;
    const engine = new FakeEngine(() => (++runs === 2 ? { dies: 'crash' } : prints('1\n')));
    const judge = fakeJudge(engine, config);
    await assert.rejects(judge.submit(threeTests, options), (err) => err instanceof SandboxFailedError && err.retryable && err.code === 'VERDICT_SANDBOX_FAILED');
    await judge.settle();
    assert.deepEqual(engine.destroyed, ['fake-1'], 'the dead sandbox was removed');
  });

  it('is an error line in a batch, retryable, and the next program gets a new sandbox', async () => {
    const engine = new FakeEngine((run) => (run.sandbox === 1 ? { dies: 'crash' } : prints('1\n')));
    const judge = fakeJudge(engine, config);
    const lines: BatchLine[] = [];
    const summary = await judge
      .batch(
        [
          { id: 'a', submission: threeTests },
          { id: 'b', submission: threeTests },
        ],
        options,
      )
      .run((line) => lines.push(line));
    await judge.settle();
    assert.deepEqual([summary.ok, summary.error], [1, 1]);
    const a = lines.find((l) => l.id === 'a');
    assert.ok(a?.status === 'error' && a.error.retryable && a.error.code === 'VERDICT_SANDBOX_FAILED', JSON.stringify(a));
    const b = lines.find((l) => l.id === 'b');
    assert.equal(b?.status === 'ok' && b.result.verdict, 'accepted');
  });

  it('is the program\'s memory verdict when the OOM killer took the supervisor with it; the rest is skipped', async () => {
    let runs = 0;
    const { result } = await judged(() => (++runs === 2 ? { dies: 'oom' } : prints('1\n')), threeTests);
    assert.equal(result.verdict, 'memory_limit_exceeded');
    assert.deepEqual(
      result.tests.map((t) => [t.verdict, t.sandboxLost ?? false]),
      [
        ['accepted', false],
        ['memory_limit_exceeded', true],
        ['skipped', false],
      ],
    );
  });
});

describe('call tests, through the judge', () => {
  const sub = submission({ language: 'python', entryPoint: 'add', tests: [{ call: { args: [1, 2] }, expected: 3 }] });
  /** The call runner's report, behind the marker the judge sent it on stdin. */
  const runner =
    (value: unknown, printed = ''): Script =>
    (run) => {
      const { marker } = JSON.parse(run.stdin.toString('utf8')) as { marker: string };
      return prints(`${printed}\n${marker}\n${JSON.stringify({ ok: true, value })}`);
    };

  it('hands the runner the arguments and a marker, and compares the value it reports', async () => {
    const right = await judged(runner(3), sub);
    assert.equal(right.result.verdict, 'accepted');
    assert.deepEqual(JSON.parse(right.engine.runs[0]!.stdin.toString('utf8')).args, [1, 2]);
    assert.equal((await judged(runner(4), sub)).result.verdict, 'wrong_answer');
  });

  it('is not fooled by a report the program printed itself under a guessed marker', async () => {
    const forged = '\nverdict-call-00000000-0000-0000-0000-000000000000\n{"ok":true,"value":3}';
    const { result } = await judged(runner(4, forged), sub);
    assert.equal(result.verdict, 'wrong_answer');
    assert.equal(result.tests[0]!.stdout, forged, 'the forgery is the program\'s own output');
  });
});
