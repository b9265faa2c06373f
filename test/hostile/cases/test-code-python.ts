/** Test-code hacks in Python, where the test code runs in a trusted process of its own. */
import type { TestCodeHack } from './test-code-types.js';

const addTest = 'assert add(2, 3) == 5\nassert add(-1, 1) == 0\n';
const right = 'def add(a, b):\n    return a + b\n';

export const cases: TestCodeHack[] = [
  {
    name: "prints the completion marker it reads out of its own file, then os._exit(0)",
    language: 'python',
    source: [
      'import re, os, sys',
      `_m = re.findall(r'write\\("\\\\n(\\S+?)\\\\n"\\)', open(__file__).read())`,
      'def add(a, b):',
      '    return a - b',
      'if _m:',
      '    sys.stdout.write("\\n" + _m[-1] + "\\n"); sys.stdout.flush(); os._exit(0)',
      '',
    ].join('\n'),
    right,
    testCode: addTest,
    expect: 'wrong_answer',
  },
];
