/** What test code can run, read from its text: every HumanEvalPack row, its shapes without the call, and hostile text. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { javascriptTestCodeShape } from '../../src/languages/javascript/test-code.js';
import { pythonTestCodeShape } from '../../src/languages/python/test-code.js';
import { completeTestCode } from '../../src/languages/test-code.js';
import { humanEvalPackRows } from '../helpers/mutants.js';

const rows = (lang: string): { test: string; entry_point: string }[] => humanEvalPackRows<{ test: string; entry_point: string }>(lang);
const withoutCall = (test: string): string => test.trimEnd().split('\n').slice(0, -1).join('\n') + '\n';

describe('test-code shapes', () => {
  it('every HumanEvalPack Python test calls check; without the call it gets check(<entry_point>) or a 400', () => {
    for (const row of rows('python')) {
      assert.deepEqual(completeTestCode('python', row.test, row.entry_point, false), { testCode: row.test });
      const bare = `METADATA = {'author': 'jt', 'dataset': 'test'}\n\n${withoutCall(row.test)}`;
      assert.deepEqual(completeTestCode('python', bare, row.entry_point, false), { testCode: `${bare}\n\ncheck(${row.entry_point})\n` });
      assert.ok('error' in completeTestCode('python', bare, undefined, false));
    }
  });
  it('every HumanEvalPack JavaScript test runs its test function; without the call it is a 400', () => {
    for (const row of rows('js')) {
      assert.deepEqual(completeTestCode('javascript', row.test, row.entry_point, false), { testCode: row.test });
      assert.ok('error' in completeTestCode('javascript', withoutCall(row.test), row.entry_point, false), row.test);
    }
  });
  it('Python shapes: MBPP asserts, MBPP+ loops, guards, one-line bodies, strings', () => {
    assert.equal(pythonTestCodeShape('assert add(1, 2) == 3\n').runs, true);
    assert.equal(pythonTestCodeShape('inputs = [[1, 2]]\nfor i, inp in enumerate(inputs):\n    assertion(add(*inp), 3, 0)\n').runs, true);
    assert.deepEqual(pythonTestCodeShape('def check(c): pass; check(f)\n'), { definesCheck: true, callsCheck: false, runs: false, runsAsMain: false });
    assert.deepEqual(pythonTestCodeShape('def check(c):\n    pass\nif __name__ == "__main__":\n    check(f)\n'), { definesCheck: true, callsCheck: true, runs: false, runsAsMain: true });
    assert.equal(pythonTestCodeShape('X = """\ncheck(f)\n"""\ndef check(c):\n    pass\n').callsCheck, false);
    assert.equal(pythonTestCodeShape('x = 1; check(f)\n').callsCheck, true);
    assert.equal(pythonTestCodeShape('obj.check(f)\n').callsCheck, false);
    assert.deepEqual(completeTestCode('python', 'def check(c):\n    pass\n', 'Solution.f', false), { testCode: 'def check(c):\n    pass\n\n\ncheck(Solution().f)\n' });
  });
  it('JavaScript shapes: MultiPL-E, regular expressions, templates, definitions', () => {
    assert.equal(javascriptTestCodeShape("const assert = require('node:assert');\nfunction test() {\n  assert.deepEqual(add(1), 2);\n}\ntest();\n").runs, true);
    assert.equal(javascriptTestCodeShape("const assert = require('node:assert');\nfunction test() {\n  assert.deepEqual(add(1), 2);\n}\n").runs, false);
    assert.equal(javascriptTestCodeShape('const re = /[)(]/g;\nconst t = () => { console.assert(re.test("(")) }\nt()\n').runs, true);
    assert.equal(javascriptTestCodeShape('const s = `${`${"{"}`}`;\nconst t = async () => {}\n').runs, false);
    assert.deepEqual(javascriptTestCodeShape('const check = (candidate) => {\n  console.assert(candidate(1) === 2)\n}\n'), { definesCheck: true, callsCheck: false, runs: false, runsAsMain: false });
  });
  it('hostile text: one pass over 4 MiB of nesting, quotes and colons', () => {
    for (const unit of ['(', '"', "'''", ':', 'a:', '\\\n', '${`', '/', 'def check(', ';\n']) {
      const text = unit.repeat(Math.ceil((4 * 1024 * 1024) / unit.length));
      pythonTestCodeShape(text);
      javascriptTestCodeShape(text);
    }
  });
});
