/**
 * The result cache and programs whose outcome depends on chance, on real Docker:
 * a result is served as a hit only once a second run agreed with it, runs that
 * disagree mark the submission nondeterministic for good, and the raw-execution
 * drop-in APIs never use the cache.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { SubmissionResult } from '../../src/schemas.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

async function metric(t: TestApp, name: string, labels: string): Promise<number> {
  const res = await t.app.inject({ method: 'GET', url: '/metrics' });
  const line = res.body.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** What the program did in a result, without the machine's measurements. */
const outcome = (r: SubmissionResult) => ({ verdict: r.verdict, tests: r.tests.map((x) => [x.verdict, x.exitCode, x.stdout, x.stderr]) });

describe('result cache and chance', async () => {
  const t = await startTestApp({ VERDICT_CONCURRENCY: '2' });

  it('never serves a coin flip as a hit before two runs agreed, and marks it once two disagree', async () => {
    let detected = false;
    // A fair coin disagrees with itself on a second run half the time: twenty fresh coins
    // all agreeing would be a one-in-a-million draw.
    for (let attempt = 0; attempt < 20 && !detected; attempt++) {
      const body = { language: 'python', source: `import random\nprint(random.randint(0, 1))  # ${randomUUID()}\n`, tests: [{ expectedStdout: '1' }] };
      const first = await t.submit(body);
      const second = await t.submit(body);
      assert.deepEqual([first.cache, first.nondeterministic], ['miss', undefined]);
      assert.equal(second.cache, 'miss', 'the second identical submission is judged again, to confirm the first');
      if (JSON.stringify(outcome(first)) === JSON.stringify(outcome(second))) {
        assert.equal(second.nondeterministic, undefined);
        // The two runs agreed: from now on it is a hit, and agrees with both.
        const third = await t.submit(body);
        assert.equal(third.cache, 'hit');
        assert.deepEqual(outcome(third), outcome(first));
        continue;
      }
      detected = true;
      assert.equal(second.nondeterministic, true, 'the run that disagreed says so');
      for (let n = 3; n <= 12; n++) {
        const again = await t.submit(body);
        assert.deepEqual([again.cache, again.nondeterministic], ['miss', true], `request ${n}`);
      }
    }
    assert.ok(detected, 'some coin disagreed with itself');
  });

  it('marks a program printing random numbers on its second run, and judges it afresh after', async () => {
    const body = { language: 'python', source: `import random\nprint(random.getrandbits(64))  # ${randomUUID()}\n` };
    const results = [];
    for (let n = 0; n < 4; n++) results.push(await t.submit(body));
    assert.deepEqual(
      results.map((r) => [r.cache, r.nondeterministic ?? false]),
      [
        ['miss', false],
        ['miss', true],
        ['miss', true],
        ['miss', true],
      ],
    );
    assert.equal(new Set(results.map((r) => r.tests[0]!.stdout)).size, 4, 'every answer is a run of its own');
  });

  it('serves a deterministic program from the cache from its third identical submission', async () => {
    const body = { language: 'python', source: `print(int(input()) * 2)  # ${randomUUID()}\n`, tests: [{ stdin: '21\n', expectedStdout: '42\n' }] };
    const first = await t.submit(body);
    const second = await t.submit(body);
    const third = await t.submit(body);
    assert.deepEqual(
      [first, second, third].map((r) => [r.cache, r.verdict, r.nondeterministic]),
      [
        ['miss', 'accepted', undefined],
        ['miss', 'accepted', undefined],
        ['hit', 'accepted', undefined],
      ],
    );
    assert.deepEqual({ ...third, cache: 'miss' }, first, "the hit is the first run's result");
  });

  it('never answers /run_code or /api/v2/execute from the cache', async () => {
    const source = `print(42)  # ${randomUUID()}\n`;
    const offBefore = await metric(t, 'verdict_cache_results_total', '{source="off"}');
    for (let n = 0; n < 3; n++) {
      const res = await t.app.inject({ method: 'POST', url: '/run_code', payload: { code: source, language: 'python' } });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json<{ run_result: { stdout: string } }>().run_result.stdout, '42\n');
    }
    for (let n = 0; n < 3; n++) {
      const res = await t.app.inject({ method: 'POST', url: '/api/v2/execute', payload: { language: 'python', version: '*', files: [{ content: source }] } });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json<{ run: { stdout: string } }>().run.stdout, '42\n');
    }
    assert.equal((await metric(t, 'verdict_cache_results_total', '{source="off"}')) - offBefore, 6, 'each of the six requests ran with the cache off');
  });
});
