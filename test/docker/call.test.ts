/** Function-call tests on real Docker: the value is serialized by trusted code and compared outside. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startTestApp } from '../helpers/app.js';

describe('function-call tests', async () => {
  const t = await startTestApp({ VERDICT_CONCURRENCY: '2' });

  it('python: calls the entry point with JSON arguments and compares the return value', async () => {
    const r = await t.submit({
      language: 'python',
      source: 'def add(a, b=0):\n    return a + b\n\nif __name__ == "__main__":\n    raise SystemExit("the main block must not run")\n',
      entryPoint: 'add',
      tests: [
        { id: 'ints', call: { args: [2, 3] }, expected: 5 },
        { id: 'lists', call: { args: [[1, 2], [3]] }, expected: [1, 2, 3] },
        { id: 'kwargs', call: { args: [1], kwargs: { b: 41 } }, expected: 42 },
        { id: 'big', call: { args: [2 ** 52, 2 ** 52] }, expected: { $int: String(2n ** 53n) } },
        { id: 'wrong', call: { args: ['a', 'b'] }, expected: 'ba' },
      ],
      cache: false,
    });
    assert.deepEqual(
      r.tests.map((x) => [x.id, x.verdict]),
      [
        ['ints', 'accepted'],
        ['lists', 'accepted'],
        ['kwargs', 'accepted'],
        ['big', 'accepted'],
        ['wrong', 'wrong_answer'],
      ],
    );
    assert.match(r.tests[4]!.checkerMessage ?? '', /returned "ab", expected "ba"/);
  });

  it('python: a rigged __eq__, an int subclass or an early exit cannot pass', async () => {
    const rigged = await t.submit({
      language: 'python',
      source: 'class Anything:\n    def __eq__(self, other):\n        return True\n\ndef solve(x):\n    return Anything()\n',
      entryPoint: 'solve',
      tests: [{ call: { args: [1] }, expected: 1 }],
      cache: false,
    });
    assert.equal(rigged.verdict, 'wrong_answer');
    assert.match(rigged.tests[0]!.checkerMessage ?? '', /Anything/);

    const subclass = await t.submit({
      language: 'python',
      source: 'class Int(int):\n    def __eq__(self, other):\n        return True\n\ndef solve(x):\n    return Int(7)\n',
      entryPoint: 'solve',
      tests: [{ call: { args: [1] }, expected: 1 }],
      cache: false,
    });
    assert.equal(subclass.verdict, 'wrong_answer');

    const early = await t.submit({
      language: 'python',
      source: 'import sys\n\ndef solve(x):\n    print(1)\n    sys.exit(0)\n',
      entryPoint: 'solve',
      tests: [{ call: { args: [1] }, expected: 1 }],
      cache: false,
    });
    assert.equal(early.verdict, 'runtime_error');
  });

  it('python: numpy values count as the plain values they hold', async () => {
    const r = await t.submit({
      language: 'python',
      source: 'import numpy as np\n\ndef stats(xs):\n    a = np.array(xs)\n    return [a.sum(), a.mean(), a * 2]\n',
      entryPoint: 'stats',
      tests: [{ call: { args: [[1, 2, 3]] }, expected: [6, 2, [2, 4, 6]] }],
      cache: false,
    });
    assert.equal(r.verdict, 'accepted', JSON.stringify(r.tests[0]));
  });

  it('python: a Solution class method, float tolerance, and coverage of the call', async () => {
    const r = await t.submit({
      language: 'python',
      source: 'class Solution:\n    def mean(self, xs):\n        if not xs:\n            return 0.0\n        return sum(xs) / len(xs)\n',
      entryPoint: 'Solution.mean',
      checker: { mode: 'float', absTolerance: 1e-9 },
      tests: [{ call: { args: [[0.1, 0.2]] }, expected: 0.15 }],
      coverage: true,
      cache: false,
    });
    assert.equal(r.verdict, 'accepted', JSON.stringify(r.tests[0]));
    assert.deepEqual(r.tests[0]!.coverage, { 'main.py': [1, 2, 3, 5] });
  });

  it('javascript: functions, arrow constants and classes; a getter cannot run', async () => {
    const ok = await t.submit({
      language: 'javascript',
      source: 'const twice = (x) => 2 * x;\nfunction add(a, b) { return a + b; }\nclass Solution { sum(xs) { return xs.reduce((a, b) => a + b, 0); } }\n',
      entryPoint: 'twice',
      tests: [{ call: { args: [21] }, expected: 42 }],
      cache: false,
    });
    assert.equal(ok.verdict, 'accepted', JSON.stringify(ok.tests[0]));
    const method = await t.submit({
      language: 'javascript',
      source: 'class Solution { sum(xs) { return xs.reduce((a, b) => a + b, 0); } }\n',
      entryPoint: 'Solution.sum',
      tests: [{ call: { args: [[1, 2, 3]] }, expected: 6 }],
      cache: false,
    });
    assert.equal(method.verdict, 'accepted', JSON.stringify(method.tests[0]));
    const getter = await t.submit({
      language: 'javascript',
      source: 'function f() { return { get x() { return 1; } }; }\n',
      entryPoint: 'f',
      tests: [{ call: { args: [] }, expected: { x: 1 } }],
      cache: false,
    });
    assert.equal(getter.verdict, 'wrong_answer');
  });

  it('refuses what cannot be a call test, saying why', async () => {
    const noEntry = await t.app.inject({ method: 'POST', url: '/v1/submissions', payload: { language: 'python', source: 'x', tests: [{ call: { args: [] } }] } });
    assert.equal(noEntry.statusCode, 400);
    assert.match(noEntry.json<{ message: string }>().message, /entryPoint: needed by the function-call test tests\.0/);
    const cpp = await t.app.inject({ method: 'POST', url: '/v1/submissions', payload: { language: 'cpp', source: 'x', entryPoint: 'f', tests: [{ call: { args: [] } }] } });
    assert.equal(cpp.statusCode, 400);
    assert.match(cpp.json<{ message: string }>().message, /tests\.0\.call: function-call tests are not available for cpp; available for: python, javascript/);
    const mixed = await t.app.inject({ method: 'POST', url: '/v1/submissions', payload: { language: 'python', source: 'x', entryPoint: 'f', tests: [{ call: { args: [] }, stdin: '1' }] } });
    assert.equal(mixed.statusCode, 400);
    const stray = await t.app.inject({ method: 'POST', url: '/v1/submissions', payload: { language: 'python', source: 'x', tests: [{ expected: 1 }] } });
    assert.equal(stray.statusCode, 400);
    assert.match(stray.json<{ message: string }>().message, /tests\.0\.expected: only for a "call" test/);
  });
});
