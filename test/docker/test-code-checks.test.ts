/**
 * Test code that cannot have run a single check is never accepted: HumanEval's `test` defines
 * check(candidate) and leaves the call to its harness; HumanEvalPack rows with that call taken
 * off (HumanEval's own shape) and JavaScript test functions never called.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startTestApp } from '../helpers/app.js';
import { humanEvalPackRows } from '../helpers/mutants.js';

interface Row { task_id: string; prompt: string; canonical_solution: string; buggy_solution: string; test: string; entry_point: string }
const rows = (lang: string): Row[] => humanEvalPackRows<Row>(lang);
const python = rows('python')[0]!;
const js = rows('js')[2]!;
/** The row's test without its last top-level line, the call of check or of the test function. */
const withoutCall = (test: string): string => test.trimEnd().split('\n').slice(0, -1).join('\n') + '\n';

const t = await startTestApp();

async function badRequest(body: Record<string, unknown>): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: '/v1/submissions', payload: body });
  assert.equal(res.statusCode, 400, res.body);
  return res.json<{ message: string }>().message;
}

describe("HumanEval's check(candidate), never called by the test code", () => {
  const testCode = `METADATA = {'author': 'jt', 'dataset': 'test'}\n\n${withoutCall(python.test)}`;
  it('with entryPoint: check(<entryPoint>) runs, so a wrong program is not accepted', async () => {
    const r = await t.submit({ language: 'python', source: python.prompt + python.buggy_solution, testCode, entryPoint: python.entry_point });
    assert.notEqual(r.verdict, 'accepted', JSON.stringify(r.tests[0]));
    assert.match(r.tests[0]!.stderr, /AssertionError/);
  });
  it('with entryPoint: the canonical program is accepted', async () => {
    const r = await t.submit({ language: 'python', source: python.prompt + python.canonical_solution, testCode, entryPoint: python.entry_point });
    assert.equal(r.verdict, 'accepted', JSON.stringify(r.tests[0]));
  });
  it('without entryPoint: a 400 saying what to add', async () => {
    assert.match(await badRequest({ language: 'python', source: python.prompt + python.buggy_solution, testCode }), /never calls it.*"entryPoint"/);
  });
  it('JavaScript: a check(candidate) function gets the call too', async () => {
    const check = 'function check(candidate) {\n  console.assert(candidate(1, 2) === 3);\n}\n';
    const wrong = await t.submit({ language: 'javascript', source: 'const add = (a, b) => a - b;\n', testCode: check, entryPoint: 'add', limits: { wallTimeMs: 30_000 } });
    assert.notEqual(wrong.verdict, 'accepted', JSON.stringify(wrong.tests[0]));
    const right = await t.submit({ language: 'javascript', source: 'const add = (a, b) => a + b;\n', testCode: check, entryPoint: 'add', limits: { wallTimeMs: 30_000 } });
    assert.equal(right.verdict, 'accepted', JSON.stringify(right.tests[0]));
  });
});

describe('HumanEvalPack rows as they are', () => {
  for (const [language, row] of [['python', python], ['javascript', js]] as const) {
    it(`${row.task_id}: buggy not accepted, canonical accepted (entryPoint set)`, async () => {
      const wrong = await t.submit({ language, source: row.prompt + row.buggy_solution, testCode: row.test, entryPoint: row.entry_point, limits: { wallTimeMs: 30_000 } });
      assert.notEqual(wrong.verdict, 'accepted', JSON.stringify(wrong.tests[0]));
      const right = await t.submit({ language, source: row.prompt + row.canonical_solution, testCode: row.test, entryPoint: row.entry_point, limits: { wallTimeMs: 30_000 } });
      assert.equal(right.verdict, 'accepted', JSON.stringify(right.tests[0]));
    });
  }
});

describe('test code that only defines', () => {
  it('a HumanEval-X JavaScript test function never called is a 400', async () => {
    assert.match(await badRequest({ language: 'javascript', source: js.prompt + js.buggy_solution, testCode: withoutCall(js.test), entryPoint: js.entry_point }), /no check would run/);
  });
  it('pytest-style test_ functions are a 400', async () => {
    const testCode = 'import math\n\ndef test_add():\n    assert add(1, 2) == 3\n';
    assert.match(await badRequest({ language: 'python', source: 'def add(a, b):\n    return 0\n', testCode }), /no check would run/);
  });
  it('checks only under a __main__ guard, with call tests, are a 400', async () => {
    const testCode = 'if __name__ == "__main__":\n    assert add(1, 2) == 3\n';
    const body = { language: 'python', source: 'def add(a, b):\n    return a + b\n', testCode, entryPoint: 'add', tests: [{ call: { args: [1, 1] }, expected: 2 }] };
    assert.match(await badRequest(body), /__main__/);
  });
});
