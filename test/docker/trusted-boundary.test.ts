/**
 * What crosses between the program and test code in a trusted process beside it (Python,
 * JavaScript, TypeScript), on real Docker: the shapes real test code uses, each accepted with a
 * right program and rejected with a wrong one, and what cannot cross said so.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BatchLine, SubmissionResult } from '../../src/schemas.js';
import { startTestApp } from '../helpers/app.js';

const t = await startTestApp({ VERDICT_CONCURRENCY: '2' });

interface Shape {
  name: string;
  language: 'python' | 'javascript' | 'typescript';
  right: string;
  /** A program the same test code must not accept; absent where the shape is about crossing only. */
  wrong?: string;
  testCode: string;
}

const shapes: Shape[] = [
  {
    name: "LeetCode's Solution().method(...), an instance kept in the program's process",
    language: 'python',
    right: 'class Solution:\n    def twoSum(self, nums, target):\n        seen = {}\n        for i, x in enumerate(nums):\n            if target - x in seen:\n                return [seen[target - x], i]\n            seen[x] = i\n',
    wrong: 'class Solution:\n    def twoSum(self, nums, target):\n        return [0, 1]\n',
    testCode: 'assert Solution().twoSum([3, 2, 4], 6) == [1, 2]\ns = Solution()\nassert s.twoSum([2, 7, 11, 15], 9) == [0, 1]\n',
  },
  {
    name: 'a list sorted in place is seen sorted by the test code',
    language: 'python',
    right: 'def sort_in_place(xs):\n    xs.sort()\n',
    wrong: 'def sort_in_place(xs):\n    xs = sorted(xs)\n',
    testCode: 'xs = [3, 1, 2]\nassert sort_in_place(xs) is None\nassert xs == [1, 2, 3]\n',
  },
  {
    name: "the program's exception crosses by type: pytest-style raises and try/except",
    language: 'python',
    right: 'def parse(text):\n    return int(text)\n',
    wrong: 'def parse(text):\n    try:\n        return int(text)\n    except ValueError:\n        return 0\n',
    testCode: 'try:\n    parse("x")\nexcept ValueError:\n    pass\nelse:\n    raise AssertionError("no ValueError")\nassert parse("7") == 7\n',
  },
  {
    name: 'a generator consumed across the boundary',
    language: 'python',
    right: 'def evens(n):\n    for i in range(n):\n        if i % 2 == 0:\n            yield i\n',
    wrong: 'def evens(n):\n    yield from range(n)\n',
    testCode: 'assert list(evens(7)) == [0, 2, 4, 6]\nassert sum(evens(5)) == 6\n',
  },
  {
    name: 'ints of thousands of digits, complex numbers, a Counter compared with a dict',
    language: 'python',
    right: 'import collections, math\ndef fact(n):\n    return math.factorial(n)\ndef rot(z):\n    return z * 1j\ndef counts(xs):\n    return collections.Counter(xs)\n',
    wrong: 'import collections, math\ndef fact(n):\n    return math.factorial(n) + 1\ndef rot(z):\n    return z * 1j\ndef counts(xs):\n    return collections.Counter(xs)\n',
    testCode: 'import math\nassert fact(3000) == math.factorial(3000)\nassert rot(1 + 2j) == -2 + 1j\nassert counts("abca") == {"a": 2, "b": 1, "c": 1}\n',
  },
  {
    name: 'a Counter whose __eq__ says yes to anything crosses as its items',
    language: 'python',
    right: 'def counts(xs):\n    out = {}\n    for x in xs:\n        out[x] = out.get(x, 0) + 1\n    return out\n',
    wrong: 'import collections\nclass Liar(collections.Counter):\n    def __eq__(self, other):\n        return True\ndef counts(xs):\n    return Liar()\n',
    testCode: 'assert counts("aab") == {"a": 2, "b": 1}\n',
  },
  {
    name: 'a re.Match is a handle: `is not None` and truth work, equality never asks it',
    language: 'python',
    right: 'import re\ndef starts_with_vowel(s):\n    return re.match("[aeiou]", s)\n',
    wrong: 'import re\ndef starts_with_vowel(s):\n    return re.match(".", s)\n',
    testCode: 'assert starts_with_vowel("apple") is not None\nassert bool(starts_with_vowel("egg"))\nassert starts_with_vowel("pear") is None\n',
  },
  {
    name: 'new Solution().method(...) and a class method, in JavaScript',
    language: 'javascript',
    right: 'class Solution {\n  twoSum(nums, target) {\n    const seen = new Map();\n    for (let i = 0; i < nums.length; i++) {\n      if (seen.has(target - nums[i])) return [seen.get(target - nums[i]), i];\n      seen.set(nums[i], i);\n    }\n  }\n  static make() { return new Solution(); }\n}\n',
    wrong: 'class Solution {\n  twoSum() { return [0, 1]; }\n  static make() { return new Solution(); }\n}\n',
    testCode: "const assert = require('node:assert');\nassert.deepStrictEqual(new Solution().twoSum([3, 2, 4], 6), [1, 2]);\nassert.deepStrictEqual(Solution.make().twoSum([2, 7, 11, 15], 9), [0, 1]);\n",
  },
  {
    name: 'an async function awaited by asynchronous test code, and its rejection caught',
    language: 'javascript',
    right: "async function fetchDouble(x) {\n  if (x < 0) throw new RangeError('negative');\n  return 2 * x;\n}\n",
    wrong: 'async function fetchDouble(x) {\n  return 2 * Math.abs(x);\n}\n',
    testCode: "const assert = require('node:assert');\n(async () => {\n  assert.strictEqual(await fetchDouble(21), 42);\n  await assert.rejects(fetchDouble(-1), RangeError);\n})();\n",
  },
  {
    name: 'Maps, Sets, BigInts, -0 and NaN copied; an array sorted in place seen sorted',
    language: 'javascript',
    right: 'function stats(xs) {\n  xs.sort((a, b) => a - b);\n  return { counts: new Map(xs.map((x) => [x, xs.filter((y) => y === x).length])), unique: new Set(xs), big: 2n ** 70n, zero: -0, none: NaN };\n}\n',
    wrong: 'function stats(xs) {\n  return { counts: new Map(), unique: new Set(xs), big: 2n ** 70n, zero: 0, none: NaN };\n}\n',
    testCode: "const assert = require('node:assert');\nconst xs = [3, 1, 3];\nconst s = stats(xs);\nassert.deepStrictEqual(xs, [1, 3, 3]);\nassert.deepStrictEqual(s.counts, new Map([[1, 1], [3, 2]]));\nassert.deepStrictEqual(s.unique, new Set([1, 3]));\nassert.strictEqual(s.big, 1180591620717411303424n);\nassert.ok(Object.is(s.zero, -0));\nassert.ok(Number.isNaN(s.none));\n",
  },
  {
    name: 'an array of 300 000 numbers sorted in place comes back whole',
    language: 'javascript',
    right: 'function sortInPlace(xs) {\n  xs.sort((a, b) => a - b);\n}\n',
    wrong: 'function sortInPlace(xs) {\n  xs.sort();\n}\n',
    testCode: "const assert = require('node:assert');\nconst xs = Array.from({ length: 300000 }, (_, i) => (i * 7919) % 300000);\nsortInPlace(xs);\nassert.strictEqual(xs.length, 300000);\nfor (let i = 0; i < xs.length; i++) assert.strictEqual(xs[i], i);\n",
  },
  {
    name: "module.exports' members, and the program's top-level helpers beside them",
    language: 'javascript',
    right: 'function helper(x) { return x * x; }\nmodule.exports = { square: (x) => helper(x) };\n',
    wrong: 'module.exports = { square: (x) => x + x };\n',
    testCode: 'console.assert(square(3) === 9)\nconsole.assert(typeof helper === "function")\n',
  },
  {
    name: "the program's exception crosses by name, and its own AssertionError is a crash",
    language: 'javascript',
    right: "function parse(text) {\n  const n = Number(text);\n  if (Number.isNaN(n)) throw new TypeError('not a number');\n  return n;\n}\n",
    wrong: 'function parse(text) {\n  return Number(text) || 0;\n}\n',
    testCode: "const assert = require('node:assert');\nassert.throws(() => parse('x'), TypeError);\nassert.strictEqual(parse('7'), 7);\n",
  },
  {
    name: 'typed test code transpiled in the trusted process, a class and an interface',
    language: 'typescript',
    right: 'class Stack<T> {\n  private items: T[] = [];\n  push(x: T): void { this.items.push(x); }\n  pop(): T | undefined { return this.items.pop(); }\n  size(): number { return this.items.length; }\n}\n',
    wrong: 'class Stack<T> {\n  private items: T[] = [];\n  push(x: T): void { this.items.unshift(x); }\n  pop(): T | undefined { return this.items.pop(); }\n  size(): number { return this.items.length; }\n}\n',
    testCode: "import assert = require('node:assert');\ninterface Sized { size(): number }\nconst s = new Stack<number>();\ns.push(1);\ns.push(2);\nconst sized: Sized = s;\nassert.strictEqual(sized.size(), 2);\nassert.strictEqual(s.pop(), 2);\n",
  },
];

async function judgeAll(): Promise<Map<string, SubmissionResult>> {
  const items = shapes.flatMap((s, i) => [
    { id: `${i}-right`, language: s.language, source: s.right, testCode: s.testCode },
    ...(s.wrong ? [{ id: `${i}-wrong`, language: s.language, source: s.wrong, testCode: s.testCode }] : []),
  ]);
  // One request per language: a batch shares its problem's language.
  const results = new Map<string, SubmissionResult>();
  for (const language of ['python', 'javascript', 'typescript'] as const) {
    const mine = items.filter((x) => x.language === language).map(({ language: _, ...rest }) => rest);
    const res = await t.app.inject({ method: 'POST', url: '/v1/batch', headers: { accept: 'application/json' }, payload: { problem: { language, limits: { wallTimeMs: 30_000 } }, items: mine, cache: false } });
    assert.equal(res.statusCode, 200, res.body.slice(0, 500));
    for (const line of res.json<{ items: BatchLine[] }>().items) {
      assert.equal(line.status, 'ok', JSON.stringify(line).slice(0, 500));
      if (line.status === 'ok') results.set(line.id, line.result);
    }
  }
  return results;
}

function explain(r: SubmissionResult): string {
  const run = r.tests[0];
  return `${r.verdict}: ${r.compile?.output ?? ''} ${run?.checkerMessage ?? ''}\n${(run?.stderr ?? '').slice(-600)}`;
}

describe('across the trusted boundary', () => {
  let results: Map<string, SubmissionResult>;
  it('judges every shape', async () => {
    results = await judgeAll();
    assert.equal(results.size, shapes.reduce((n, s) => n + (s.wrong ? 2 : 1), 0));
  });
  for (const [i, s] of shapes.entries()) {
    it(`${s.language}: ${s.name}`, () => {
      const right = results.get(`${i}-right`)!;
      assert.equal(right.verdict, 'accepted', explain(right));
      if (s.wrong) {
        const wrong = results.get(`${i}-wrong`)!;
        assert.equal(wrong.verdict, 'wrong_answer', explain(wrong));
      }
    });
  }

  it('test code that passes the program a function gets a runtime_error naming it', async () => {
    const py = await t.submit({ language: 'python', source: 'def apply(f, x):\n    return f(x)\n', testCode: 'assert apply(lambda v: v + 1, 1) == 2\n' });
    assert.equal(py.verdict, 'runtime_error');
    assert.match(py.tests[0]!.checkerMessage ?? '', /cannot cross to the program/);
    const js = await t.submit({ language: 'javascript', source: 'function apply(f, x) { return f(x); }\n', testCode: 'console.assert(apply((v) => v + 1, 1) === 2)\n' });
    assert.equal(js.verdict, 'runtime_error');
    assert.match(js.tests[0]!.checkerMessage ?? '', /cannot cross to the program/);
  });
});
