/**
 * Test-code harnesses cannot be passed by leaving early: a program that exits
 * 0 before its test code ran is not accepted, whatever way it exits.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startTestApp } from '../helpers/app.js';

const t = await startTestApp();

const python = {
  solution: (body: string) => `import os, sys\n\ndef add(a, b):\n${body}\n`,
  testCode: 'def check(candidate):\n    assert candidate(2, 3) == 5\n    assert candidate(-1, 1) == 0\n\ncheck(add)\n',
};

const c = {
  solution: (body: string) => `#include <stdlib.h>\n#include <unistd.h>\nint add(int a, int b) {\n${body}\n}\n`,
  testCode: '#include <assert.h>\nint main() {\n  assert(add(2, 3) == 5);\n  assert(add(-1, 1) == 0);\n}\n',
};

const cppSolution = (body: string) => `#include <cstdlib>\n#include <unistd.h>\nint add(int a, int b) {\n${body}\n}\n`;
const cppTest = '#include <cassert>\n#include <iostream>\nint main() {\n  assert(add(2, 3) == 5);\n  assert(add(-1, 1) == 0);\n  std::cout << "checked" << std::endl;\n}\n';

// Wall time to spare: JavaScript's test code starts a second Node beside the program, and a loaded
// CI machine (three test files at once) took a correct one past the default 5 s.
const LIMITS = { wallTimeMs: 30_000 };

async function judge(language: string, source: string, testCode: string) {
  return t.submit({ language, source, testCode, limits: LIMITS });
}

describe('python harness', () => {
  it('accepts a correct solution whose test code finishes', async () => {
    const r = await judge('python', python.solution('    return a + b'), python.testCode);
    assert.equal(r.verdict, 'accepted', r.tests[0]?.stderr);
    assert.equal(r.tests[0]?.harnessCompleted, true);
    assert.equal(r.tests[0]?.stdout, '', 'the completion marker is not shown');
  });
  it('rejects a wrong solution as a wrong answer', async () => {
    const r = await judge('python', python.solution('    return a - b'), python.testCode);
    assert.equal(r.verdict, 'wrong_answer');
  });
  for (const [how, body] of [
    ['sys.exit(0)', '    sys.exit(0)'],
    ['os._exit(0)', '    os._exit(0)'],
    ['raise SystemExit', '    raise SystemExit'],
    ['exit()', '    exit()'],
    ['quit(0)', '    quit(0)'],
    ['os.kill(self, SIGKILL)', '    import signal; os.kill(os.getpid(), signal.SIGKILL)'],
    ['closing stdout, then exit 0', '    os.close(1); os._exit(0)'],
  ] as const) {
    it(`rejects ${how} before the tests ran`, async () => {
      const r = await judge('python', python.solution(body), python.testCode);
      assert.equal(r.verdict, 'runtime_error', JSON.stringify(r.tests[0]));
      assert.equal(r.tests[0]?.harnessCompleted, false);
    });
  }
  it('rejects a program that exits at import time, before any function is called', async () => {
    const r = await judge('python', 'import sys\nsys.exit(0)\n', python.testCode);
    assert.equal(r.verdict, 'runtime_error');
  });
  it('rejects a program printing a guessed completion marker', async () => {
    const r = await judge('python', `print("\\nverdict-harness-done-00000000-0000-0000-0000-000000000000")\nimport os\nos._exit(0)\n`, python.testCode);
    assert.equal(r.verdict, 'runtime_error');
  });
  it("judges a program that shadows print and the exit machinery by its answers: Python's test code reports from its own process", async () => {
    const quiet = 'import sys\nclass Quiet:\n    def write(self, s): return len(s)\n    def flush(self): pass\nsys.stdout = Quiet()\n';
    assert.equal((await judge('python', `${quiet}def add(a, b):\n    return a + b\n`, python.testCode)).verdict, 'accepted');
    assert.equal((await judge('python', `${quiet}def add(a, b):\n    return a - b\n`, python.testCode)).verdict, 'wrong_answer');
  });
});

describe('C and C++ harness', () => {
  it('accepts a correct C solution', async () => {
    const r = await judge('c', c.solution('  return a + b;'), c.testCode);
    assert.equal(r.verdict, 'accepted', `${r.compile?.output}\n${r.tests[0]?.stderr}`);
  });
  it('accepts a correct C++ solution, and shows what the tests printed', async () => {
    const r = await judge('cpp', cppSolution('  return a + b;'), cppTest);
    assert.equal(r.verdict, 'accepted', `${r.compile?.output}\n${r.tests[0]?.stderr}`);
    assert.equal(r.tests[0]?.stdout, 'checked\n');
  });
  for (const [how, body] of [
    ['exit(0)', '  exit(0);'],
    ['_exit(0)', '  _exit(0);'],
    ['quick_exit(0)', '  quick_exit(0);'],
  ] as const) {
    it(`rejects ${how} in C before the tests ran`, async () => {
      const r = await judge('c', c.solution(body), c.testCode);
      assert.equal(r.verdict, 'runtime_error', JSON.stringify(r.tests[0]));
      assert.equal(r.tests[0]?.harnessCompleted, false);
    });
  }
  for (const [how, body] of [
    ['std::exit(0)', '  std::exit(0);'],
    ['_exit(0)', '  _exit(0);'],
  ] as const) {
    it(`rejects ${how} in C++ before the tests ran`, async () => {
      const r = await judge('cpp', cppSolution(body), cppTest);
      assert.equal(r.verdict, 'runtime_error', JSON.stringify(r.tests[0]));
    });
  }
});

describe('Java harness', () => {
  const solution = (body: string) => `import java.util.*;\n\nclass Solution {\n    public int add(int a, int b) {\n${body}\n    }\n}\n`;
  const testCode =
    'public class Main {\n    public static void main(String[] args) {\n        Solution s = new Solution();\n        if (s.add(2, 3) != 5 || s.add(-1, 1) != 0) throw new AssertionError();\n    }\n}\n';
  it('accepts a correct solution', async () => {
    const r = await judge('java', solution('        return a + b;'), testCode);
    assert.equal(r.verdict, 'accepted', `${r.compile?.output}\n${r.tests[0]?.stderr}`);
    assert.equal(r.tests[0]?.harnessCompleted, true);
  });
  it('rejects a wrong solution as a wrong answer', async () => {
    assert.equal((await judge('java', solution('        return a - b;'), testCode)).verdict, 'wrong_answer');
  });
  for (const [how, body] of [
    ['System.exit(0)', '        System.exit(0); return 0;'],
    ['Runtime.halt(0)', '        Runtime.getRuntime().halt(0); return 0;'],
  ] as const) {
    it(`rejects ${how} before the tests ran`, async () => {
      const r = await judge('java', solution(body), testCode);
      assert.equal(r.verdict, 'runtime_error', JSON.stringify(r.tests[0]));
      assert.equal(r.tests[0]?.harnessCompleted, false);
    });
  }
});

describe('Rust harness', () => {
  const solution = (body: string) => `fn main() {}\n\nfn add(a: i32, b: i32) -> i32 {\n    ${body}\n}\n`;
  const testCode = '#[cfg(test)]\nmod tests {\n    use super::*;\n    #[test]\n    fn adds() {\n        assert_eq!(add(2, 3), 5);\n        assert_eq!(add(-1, 1), 0);\n    }\n}\n';
  it('accepts a correct solution and rejects a wrong one', async () => {
    const ok = await judge('rust', solution('a + b'), testCode);
    assert.equal(ok.verdict, 'accepted', `${ok.compile?.output}\n${ok.tests[0]?.stdout}`);
    assert.equal(ok.tests[0]?.harnessCompleted, true);
    assert.equal((await judge('rust', solution('a - b'), testCode)).verdict, 'wrong_answer');
  });
  it('rejects std::process::exit(0) before the tests ran', async () => {
    const r = await judge('rust', solution('let _ = (a, b); std::process::exit(0)'), testCode);
    assert.equal(r.verdict, 'runtime_error');
    assert.equal(r.tests[0]?.harnessCompleted, false);
  });
});

describe('JavaScript and TypeScript harness', () => {
  const testCode = 'const testAdd = () => {\n  console.assert(add(2, 3) === 5)\n  console.assert(add(-1, 1) === 0)\n}\ntestAdd()\n';
  it('accepts a correct solution, and a failed console.assert fails it', async () => {
    const ok = await judge('javascript', 'const add = (a, b) => {\n  return a + b\n}\n', testCode);
    assert.equal(ok.verdict, 'accepted', `${ok.compile?.output}\n${ok.tests[0]?.stderr}`);
    assert.equal(ok.tests[0]?.harnessCompleted, true);
    assert.equal((await judge('javascript', 'const add = (a, b) => {\n  return a - b\n}\n', testCode)).verdict, 'wrong_answer');
  });
  for (const [how, body] of [
    ['process.exit(0)', 'process.exit(0)'],
    ['process.reallyExit(0)', 'process.reallyExit(0)'],
    ['process.kill(process.pid, "SIGKILL")', 'process.kill(process.pid, "SIGKILL")'],
  ] as const) {
    it(`rejects ${how} before the tests ran`, async () => {
      const r = await judge('javascript', `const add = (a, b) => {\n  ${body}\n}\n`, testCode);
      assert.equal(r.verdict, 'runtime_error', JSON.stringify(r.tests[0]));
      assert.equal(r.tests[0]?.harnessCompleted, false);
    });
  }
  it('TypeScript: accepts a correct solution and rejects process.exit(0)', async () => {
    const ok = await judge('typescript', 'const add = (a: number, b: number): number => a + b;\n', testCode);
    assert.equal(ok.verdict, 'accepted', `${ok.compile?.output}\n${ok.tests[0]?.stderr}`);
    const early = await judge('typescript', 'const add = (a: number, b: number): number => { process.exit(0); };\n', testCode);
    assert.equal(early.verdict, 'runtime_error', JSON.stringify(early.tests[0] ?? early.compile));
  });
});

describe('harness requests', () => {
  it('refuses testCode with files, and for a language without a harness', async () => {
    const withFiles = await t.app.inject({ method: 'POST', url: '/v1/submissions', payload: { language: 'python', files: [{ path: 'main.py', content: '' }], testCode: 'pass' } });
    assert.equal(withFiles.statusCode, 400);
    assert.match(withFiles.json<{ message: string }>().message, /testCode/);
  });
});
