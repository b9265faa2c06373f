/** Test-code hacks in C and C++, where test code and candidate end up in one program. */
import type { TestCodeHack } from './test-code-types.js';

const cAddTest = '#include <assert.h>\nint main() {\n  assert(add(2, 3) == 5);\n  assert(add(-1, 1) == 0);\n}\n';

export const cases: TestCodeHack[] = [
  {
    name: "the test's main renamed away by a #define after the candidate's own main",
    language: 'c',
    source: 'int add(int a, int b) { return a - b; }\nint main(void) { return 0; }\n#define main verdict_renamed_main\n',
    right: 'int add(int a, int b) { return a + b; }\n',
    testCode: cAddTest,
    expect: ['compile_error', 'wrong_answer', 'runtime_error'],
    why: 'depends on where the harness places the test: its own translation unit refuses a second main at link time, or the test runs and fails',
  },
];
