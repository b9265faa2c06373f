/**
 * Sandboxes recycled across requests (SandboxProvider.release, WarmPool.giveBack): a sandbox that
 * served one request's program is reset (RESET: a new uid, nothing of the program left) and serves
 * the next request of its kind, so one program per request costs no container each; it is
 * destroyed instead when its sandbox died, its supervisor cannot hide the cgroup counters, or it
 * reached its number of uses. A fake engine plays the supervisor's side of the protocol.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeSubmission } from '../../src/judge/normalize.js';
import { submissionRequestSchema } from '../../src/schemas.js';
import { FakeEngine, fakeConfig, fakeJudge, prints, type Script } from '../helpers/fake-engine.js';

const options = { priority: 'online' as const, cache: false };

async function requests(script: Script, count: number, env: Record<string, string> = {}, landlock = true, request: Record<string, unknown> = {}) {
  const engine = new FakeEngine(script, landlock);
  const config = fakeConfig({ VERDICT_POOL_MAX_IDLE: '2', ...env });
  const judge = fakeJudge(engine, config);
  const verdicts: string[] = [];
  for (let i = 0; i < count; i++) {
    const sub = normalizeSubmission(submissionRequestSchema.parse({ language: 'python', source: `print(${i})\n`, ...request }), config);
    // A supervisor that dies with its program is Verdict's failure, an error rather than a verdict.
    verdicts.push(await judge.submit(sub, options).then((r) => r.verdict, (err: Error) => err.name));
    await judge.settle();
  }
  const resets = engine.verbs.filter((v) => v.endsWith(' RESET'));
  const idle = judge.stats().pool.idle;
  await judge.drain();
  // Programs (runs) per container.
  const served = engine.started.map((_, i) => engine.runs.filter((r) => r.sandbox === i + 1).length);
  return { engine, verdicts, resets, idle, served };
}

describe('sandboxes recycled across requests', () => {
  it('one container serves request after request, reset after each', async () => {
    const { engine, verdicts, resets, idle } = await requests(() => prints('1\n'), 5);
    assert.deepEqual(verdicts, ['accepted', 'accepted', 'accepted', 'accepted', 'accepted']);
    assert.equal(engine.started.length, 1, 'one container for five requests');
    assert.equal(resets.length, 5, 'a reset after every program, before the pool takes it back');
    assert.equal(idle, 1, 'back in the pool, reset, between requests');
    assert.deepEqual(engine.destroyed, ['fake-1'], 'let go when the service drains');
  });

  it('a sandbox whose supervisor died with its program is never handed on', async () => {
    const { engine, verdicts, served } = await requests((run) => (run.sandbox === 1 ? { dies: 'crash' } : prints('1\n')), 3);
    assert.deepEqual(verdicts, ['SandboxFailedError', 'accepted', 'accepted']);
    assert.equal(served[0], 1, 'the dead one ran nothing more');
    assert.equal(served.slice(1).reduce((a, b) => a + b, 0), 2);
    assert.ok(engine.destroyed.includes('fake-1'));
  });

  it('a sandbox whose supervisor did not finish wiping after a run is never handed on', async () => {
    const { engine, served } = await requests((run) => (run.sandbox === 1 ? { record: { stdout: '1\n' }, after: 'die' } : prints('1\n')), 3);
    assert.equal(served[0], 1);
    assert.ok(engine.destroyed.includes('fake-1'));
  });

  it('a supervisor that cannot hide the cgroup counters gets one program only', async () => {
    const { served, resets } = await requests(() => prints('1\n'), 3, {}, false);
    assert.ok(served.every((n) => n <= 1), served.join());
    assert.equal(resets.length, 0);
  });

  it('past VERDICT_SANDBOX_MAX_USES programs a sandbox is replaced', async () => {
    const { served } = await requests(() => prints('1\n'), 5, { VERDICT_SANDBOX_MAX_USES: '2' });
    assert.ok(served.every((n) => n <= 2), served.join());
    assert.equal(served.reduce((a, b) => a + b, 0), 5);
  });

  it('off with VERDICT_SANDBOX_REUSE=false, and with no pool', async () => {
    for (const env of [{ VERDICT_SANDBOX_REUSE: 'false' }, { VERDICT_POOL_MAX_IDLE: '0' }] as Array<Record<string, string>>) {
      const { served, resets } = await requests(() => prints('1\n'), 3, env);
      assert.ok(served.every((n) => n <= 1), `${JSON.stringify(env)}: ${served.join()}`);
      assert.equal(resets.length, 0);
    }
  });

  it("a compiled program's raised memory limit goes back to its kind's before the next request", async () => {
    const compiles = (run: { argv: string[] }) => run.argv[0] === 'gcc';
    const { engine } = await requests((run) => (compiles(run) ? prints('', { boxBytes: 4 << 20 }) : prints('1\n')), 2, {}, true, { language: 'c', source: 'int main(){}' });
    assert.equal(engine.started.length, 1);
    const limits = engine.memoryChanges.map((c) => Number(c.split(' ')[1]));
    // Set for the run after each compile, and back to the kind's after each program.
    assert.equal(limits.length, 4, engine.memoryChanges.join(', '));
    assert.ok(limits[0] === limits[2] && limits[1] === limits[3] && limits[0] !== limits[1], engine.memoryChanges.join(', '));
  });
});
