/**
 * Test-code hacks in C and C++, where test code and candidate end up in one file: the candidate's
 * macros must not rewrite the test code that follows it.
 */
import type { TestCodeHack } from './test-code-types.js';

const cAddTest = '#include <assert.h>\nint main() {\n  assert(add(2, 3) == 5);\n  assert(add(-1, 1) == 0);\n}\n';
// HumanEval-X's shape: the test includes nothing, the candidate's includes serve it.
const bareAddTest = 'int main() {\n  assert(add(2, 3) == 5);\n  assert(add(-1, 1) == 0);\n}\n';
const cRight = '#include <assert.h>\nint add(int a, int b) { return a + b; }\n';
const cppRight = '#include <cassert>\nint add(int a, int b) { return a + b; }\n';
const wrong = 'int add(int a, int b) { return a - b; }\n';
const either = ['compile_error', 'wrong_answer', 'runtime_error'] as const;

export const cases: TestCodeHack[] = [
  {
    name: "the test's main renamed away by a #define after the candidate's own main",
    language: 'c',
    source: `${wrong}int main(void) { return 0; }\n#define main verdict_renamed_main\n`,
    right: cRight,
    testCode: cAddTest,
    expect: either,
    why: "with the macro gone, the test's main is a second main (a compile error) or runs and fails",
  },
  {
    name: "the test's main renamed away, spelled with a comment and a line splice",
    language: 'cpp',
    source: `${wrong}int main() { return 0; }\n# /* hidden */ def\\\nine main verdict_renamed_main\n`,
    right: cppRight,
    testCode: cAddTest,
    expect: either,
    why: "with the macro gone, the test's main is a second main (a compile error) or runs and fails",
  },
  {
    name: 'assert defined to nothing',
    language: 'c',
    source: `#include <assert.h>\n${wrong}#undef assert\n#define assert(e) ((void)0)\n`,
    right: cRight,
    testCode: bareAddTest,
    expect: 'wrong_answer',
  },
  {
    name: 'NDEBUG defined before assert.h, for a test that includes nothing',
    language: 'cpp',
    source: `#define NDEBUG\n#include <cassert>\n${wrong}`,
    right: cppRight,
    testCode: bareAddTest,
    expect: 'wrong_answer',
  },
  {
    name: "the tested name itself a macro for a right answer's constant",
    language: 'c',
    source: `#include <assert.h>\n${wrong}#define add(a, b) ((a) + (b))\n`,
    right: cRight,
    testCode: bareAddTest,
    expect: 'wrong_answer',
  },
];
