/**
 * With testCode, the same bug gets the same verdict as under stdin or call tests: a failed check
 * of the test code itself is a wrong_answer. The candidate's own crashes (its own assertions
 * included), a forged report on stderr and the limits keep their verdicts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BatchLine, SubmissionResult } from '../../src/schemas.js';
import { startTestApp } from '../helpers/app.js';

const t = await startTestApp();

interface Language {
  language: string;
  testCode: string;
  /** The candidate's program around the body of add(a, b). */
  solution: (body: string) => string;
  cases: Record<'right' | 'wrong' | 'crash' | 'ownAssert' | 'forged' | 'loop', string>;
}

const expected: Record<keyof Language['cases'], string> = {
  right: 'accepted',
  wrong: 'wrong_answer',
  crash: 'runtime_error',
  ownAssert: 'runtime_error',
  forged: 'runtime_error',
  loop: 'time_limit_exceeded',
};

const jsCases = {
  right: 'return a + b',
  wrong: 'return a - b',
  crash: 'return undefined.x',
  // Its own AssertionError, with a message that reads like a frame of the test code.
  ownAssert: "throw new (require('node:assert').AssertionError)({ message: 'x\\n    at testAdd (/box/main.js:999:3)\\n    at testAdd (/box/out/main.js:999:3)' })",
  forged: "console.error('AssertionError [ERR_ASSERTION]: x\\n    at testAdd (/box/main.js:99:3)'); process.exit(1)",
  loop: 'for (;;) {}',
};
const jsTest = "const testAdd = () => {\n  console.assert(add(2, 3) === 5)\n  require('node:assert').strictEqual(add(-1, 1), 0)\n}\ntestAdd()\n";

const languages: Language[] = [
  {
    language: 'python',
    testCode: 'def check(candidate):\n    assert candidate(2, 3) == 5\n    assert candidate(-1, 1) == 0\n\ncheck(add)\n',
    solution: (body) => `import sys\n\ndef add(a, b):\n    ${body}\n`,
    cases: {
      right: 'return a + b',
      wrong: 'return a - b',
      crash: 'return [][a]',
      ownAssert: 'assert a < 0, "the candidate\'s own assertion"',
      forged: 'sys.stderr.write(\'Traceback (most recent call last):\\n  File "/box/main.py", line 40, in check\\nAssertionError\\n\'); sys.exit(1)',
      loop: 'while True: pass',
    },
  },
  { language: 'javascript', testCode: jsTest, solution: (body) => `const add = (a, b) => {\n  ${body}\n}\n`, cases: jsCases },
  { language: 'typescript', testCode: jsTest, solution: (body) => `const add = (a: number, b: number): any => {\n  ${body}\n}\n`, cases: { ...jsCases, crash: 'return (undefined as any).x' } },
  {
    language: 'java',
    testCode:
      'public class Main {\n    public static void main(String[] args) {\n        Solution s = new Solution();\n        if (s.add(2, 3) != 5) throw new AssertionError();\n        assert s.add(-1, 1) == 0;\n    }\n}\n',
    solution: (body) => `class Solution {\n    public int add(int a, int b) {\n        ${body}\n    }\n}\n`,
    cases: {
      right: 'return a + b;',
      wrong: 'return a - b;',
      crash: 'return a / (b - b);',
      ownAssert: 'throw new AssertionError("mine");',
      forged: 'System.err.println("Exception in thread \\"main\\" java.lang.AssertionError\\n\\tat Main.main(Main.java:9)"); System.exit(1); return 0;',
      loop: 'while (true) {}',
    },
  },
  ...(['c', 'cpp'] as const).map((language) => ({
    language,
    testCode: `#include <${language === 'c' ? 'assert.h' : 'cassert'}>\nint main() {\n  assert(add(2, 3) == 5);\n  assert(add(-1, 1) == 0);\n}\n`,
    solution: (body: string) => `#include <assert.h>\n#include <stdio.h>\n#include <stdlib.h>\nint add(int a, int b) {\n  ${body}\n}\n`,
    cases: {
      right: 'return a + b;',
      wrong: 'return a - b;',
      // abort() dies of SIGABRT, as a failed assert does.
      crash: 'abort();',
      ownAssert: 'assert(a < 0); return a + b;',
      forged: 'fprintf(stderr, "main: main.c:9: main: Assertion `add(2, 3) == 5\' failed.\\n"); abort();',
      loop: 'volatile int x = 0; for (;;) x++;',
    },
  })),
  {
    language: 'rust',
    testCode: '#[cfg(test)]\nmod tests {\n    use super::*;\n    #[test]\n    fn adds() {\n        assert_eq!(add(2, 3), 5);\n        assert_eq!(add(-1, 1), 0);\n    }\n}\n',
    solution: (body) => `fn main() {}\n\nfn add(a: i32, b: i32) -> i32 {\n    ${body}\n}\n`,
    cases: {
      right: 'a + b',
      wrong: 'a - b',
      crash: 'let v: Vec<i32> = Vec::new(); v[a as usize] + b',
      // -C overflow-checks=on: an overflow panics in the candidate's own line.
      ownAssert: 'a + b + i32::MAX',
      forged: 'eprintln!("thread \'tests::adds\' panicked at \'assertion failed: `(left == right)`\', main.rs:16:9"); std::process::exit(101)',
      loop: 'loop {}',
    },
  },
];

async function judgeAll(l: Language): Promise<Map<string, SubmissionResult>> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/batch',
    headers: { accept: 'application/json' },
    payload: {
      // Enough for two Node start-ups (JavaScript's test code runs in a second, trusted process:
      // some 0.5 s of CPU together on the image's Node 18), short enough for the endless loop.
      problem: { language: l.language, testCode: l.testCode, limits: { timeMs: 1500, wallTimeMs: 30_000 } },
      items: Object.entries(l.cases).map(([id, body]) => ({ id, source: l.solution(body) })),
      cache: false,
    },
  });
  assert.equal(res.statusCode, 200, res.body.slice(0, 1000));
  const results = new Map<string, SubmissionResult>();
  for (const line of res.json<{ items: BatchLine[] }>().items) {
    assert.equal(line.status, 'ok', JSON.stringify(line));
    if (line.status === 'ok') results.set(line.id, line.result);
  }
  return results;
}

for (const l of languages) {
  describe(`${l.language} test code`, () => {
    it('a failed check of the test code is a wrong_answer; crashes, forgeries and limits keep theirs', async () => {
      const results = await judgeAll(l);
      for (const [id, verdict] of Object.entries(expected)) {
        const r = results.get(id)!;
        const run = r.tests[0];
        assert.equal(r.verdict, verdict, `${l.language} ${id}: ${r.compile?.output ?? ''}\n${JSON.stringify(run)}`);
        assert.ok(!run?.stdout.includes('verdict-harness'), `${l.language} ${id}: the harness's lines are not shown: ${run?.stdout}`);
      }
      assert.equal(results.get('wrong')!.tests[0]?.harnessCompleted, false);
    });
  });
}
