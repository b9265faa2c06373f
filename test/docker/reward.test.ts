/** POST /v1/reward: completions in, one reward each, on real Docker. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { RewardLine, RewardSummary } from '../../src/schemas.js';
import { startTestApp } from '../helpers/app.js';

const rewardOf = (line: RewardLine | undefined) => (line && 'reward' in line ? line.reward : undefined);
const fence = (lang: string, code: string) => `\`\`\`${lang}\n${code}\n\`\`\``;
const ADD_PROBLEM = {
  language: 'python',
  tests: [
    { id: 'small', stdin: '2 3\n', expectedStdout: '5\n' },
    { id: 'negative', stdin: '-2 -3\n', expectedStdout: '-5\n' },
  ],
};

describe('POST /v1/reward', async () => {
  const t = await startTestApp({ VERDICT_CONCURRENCY: '2' });
  const nonce = () => `# ${randomUUID()}`;

  async function reward(body: Record<string, unknown>) {
    const res = await t.app.inject({ method: 'POST', url: '/v1/reward', payload: body, headers: { accept: 'application/json' } });
    assert.equal(res.statusCode, 200, res.body);
    const json = res.json<{ items: RewardLine[]; summary: RewardSummary }>();
    return { lines: new Map(json.items.map((l) => [l.id, l])), summary: json.summary, items: json.items };
  }

  it('extracts, judges and scores each completion with the named preset', async () => {
    const completions: Record<string, string> = {
      // The reasoning holds a wrong draft; only the final answer counts.
      right: `<think>\nMaybe:\n${fence('python', 'print(0)')}\n</think>\nHere it is:\n${fence('python', `a, b = map(int, input().split())\nprint(a + b) ${nonce()}`)}`,
      wrong: `Sure.\n${fence('py', `a, b = map(int, input().split())\nprint(abs(a + b)) ${nonce()}`)}`,
      crash: fence('python', `raise RuntimeError("no") ${nonce()}`),
      syntax: fence('python', `def f(:\n    pass ${nonce()}`),
      prose: 'I cannot solve this problem.',
      truncated: `<think>\nLet me think about ${fence('python', 'print(5)')}`,
    };
    const { lines, summary } = await reward({
      preset: 'coderl',
      problems: { add: ADD_PROBLEM },
      items: Object.entries(completions).map(([id, completion]) => ({ id, completion, problem: 'add' })),
      cache: false,
    });
    const got = Object.fromEntries([...lines].map(([id, l]) => [id, [l.status, 'reward' in l ? l.reward : null, l.status === 'ok' ? l.result.verdict : null]]));
    assert.deepEqual(got, {
      right: ['ok', 1, 'accepted'],
      wrong: ['ok', -0.3, 'wrong_answer'],
      crash: ['ok', -0.6, 'runtime_error'],
      syntax: ['ok', -1, 'compile_error'],
      prose: ['no_code', -1, null],
      truncated: ['no_code', -1, null],
    });
    assert.equal(lines.get('right')!.extraction.reasoningRemoved, true);
    assert.equal(lines.get('right')!.extraction.blocksFound, 1);
    assert.equal(summary.preset, 'coderl');
    assert.equal(summary.extraction, 'last_block');
    assert.equal(summary.total, 6);
    assert.equal(summary.judged, 4);
    assert.equal(summary.noCode, 2);
    assert.equal(summary.meanReward, Math.round(((1 - 0.3 - 0.6 - 1 - 1 - 1) / 6) * 1e6) / 1e6);
  });

  it('scores partial passes by fraction and by rltf, and compile_only by compiling alone', async () => {
    const half = fence('python', `a, b = map(int, input().split())\nprint(a + b if a > 0 else 0) ${nonce()}`);
    const items = [{ id: 'half', completion: half, ...ADD_PROBLEM }];
    assert.equal(rewardOf((await reward({ preset: 'fraction', items, cache: false })).lines.get('half')), 0.5);
    assert.equal(rewardOf((await reward({ preset: 'rltf', items, cache: false })).lines.get('half')), 0.35);
    assert.equal(rewardOf((await reward({ preset: 'binary', items, cache: false })).lines.get('half')), 0);
    assert.equal(rewardOf((await reward({ preset: 'compile_only', items, cache: false })).lines.get('half')), 1);
  });

  it('a HumanEval completion that exits before the test code ran earns nothing', async () => {
    const testCode = 'def check(candidate):\n    assert candidate(2, 3) == 5\n\ncheck(add)\n';
    const { lines } = await reward({
      problems: { he: { language: 'python', testCode } },
      items: [
        { id: 'honest', problem: 'he', completion: fence('python', `def add(a, b):\n    return a + b ${nonce()}`) },
        { id: 'exit-early', problem: 'he', completion: fence('python', `import sys\ndef add(a, b):\n    return 0\nsys.exit(0) ${nonce()}`) },
      ],
      cache: false,
    });
    assert.equal(rewardOf(lines.get('honest')), 1);
    const hack = lines.get('exit-early')!;
    assert.equal(rewardOf(hack), 0);
    assert.ok(hack.status === 'ok' && hack.result.verdict === 'runtime_error' && hack.result.tests[0]?.harnessCompleted === false);
  });

  it('takes the first, all, or the whole text by policy, and ignores other languages', async () => {
    const completion = `${fence('bash', 'echo 5')}\n${fence('python', 'import sys')}\n${fence('python', `print(sum(map(int, sys.stdin.read().split()))) ${nonce()}`)}`;
    const items = [{ id: 'x', completion, ...ADD_PROBLEM }];
    const first = (await reward({ extraction: 'first_block', items, cache: false })).lines.get('x')!;
    assert.ok(first.status === 'ok' && first.result.verdict === 'wrong_answer', JSON.stringify(first));
    const all = (await reward({ extraction: 'all_blocks', items, cache: false })).lines.get('x')!;
    assert.equal(rewardOf(all), 1);
    assert.equal(all.extraction.blocksUsed, 2);
    const whole = rewardOf((await reward({ extraction: 'whole', items: [{ id: 'x', completion: `a, b = map(int, input().split())\nprint(a + b) ${nonce()}`, ...ADD_PROBLEM }], cache: false })).lines.get('x'));
    assert.equal(whole, 1);
  });

  it('streams NDJSON by default and refuses a bad item before judging', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/reward',
      payload: { items: [{ id: 'a', completion: fence('python', 'print(5)'), ...ADD_PROBLEM }] },
    });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /ndjson/);
    const lines = res.body.trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    assert.deepEqual(lines.map((l) => l.type), ['item', 'summary']);

    const bad = await t.app.inject({ method: 'POST', url: '/v1/reward', payload: { items: [{ id: 'a', completion: 'x', problem: 'nope' }] } });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json<{ message: string }>().message, /items\.0\.problem: no problem named "nope"/);
    const noLang = await t.app.inject({ method: 'POST', url: '/v1/reward', payload: { items: [{ id: 'a', completion: 'x' }] } });
    assert.equal(noLang.statusCode, 400);
    assert.match(noLang.json<{ message: string }>().message, /items\.0\.language: needed/);
  });
});
