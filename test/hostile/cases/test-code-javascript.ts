/**
 * Test-code hacks in JavaScript: wrong programs that try to pass HumanEvalPack's console.assert
 * tests or MultiPL-E's node:assert tests by reaching what ran beside them in one process: the
 * completion marker, the process's exit and its events, the assertion functions and the module
 * loader, the builtins' prototypes, and the globals the test code names. TypeScript's cases
 * follow JavaScript's.
 */
import type { TestCodeHack } from './test-code-types.js';

const addRight = 'function add(a, b) {\n  return a + b;\n}\n';
const addWrong = 'function add(a, b) {\n  return a - b;\n}\n';
const addRightTs = 'function add(a: number, b: number): number {\n  return a + b;\n}\n';
const addWrongTs = 'function add(a: number, b: number): number {\n  return a - b;\n}\n';
// HumanEvalPack's shape: a test function of console.asserts, then its call.
const humanEvalPack = 'const testAdd = () => {\n  console.assert(add(2, 3) === 5)\n  console.assert(add(-1, 1) === 0)\n}\n\ntestAdd()\n';
// MultiPL-E's shape: node:assert in a test function, then its call.
const multiPlE = "const assert = require('node:assert');\n\nfunction test() {\n  let candidate = add;\n  assert.deepEqual(candidate(2, 3), 5);\n  assert.deepEqual(candidate(-1, 1), 0);\n}\n\ntest();\n";
// An asynchronous test: its failure is a rejection, not a throw.
const asyncTest = "const assert = require('node:assert');\n\n(async () => {\n  assert.strictEqual(await add(2, 3), 5);\n  assert.strictEqual(await add(-1, 1), 0);\n})();\n";
const asyncRight = 'async function add(a, b) {\n  return a + b;\n}\n';
// The completion marker as the old trailer wrote it ('\n<marker>\n'), read out of the file the program runs from.
const readMarker = "const found = require('fs').readFileSync(__filename, 'utf8').match(/write\\('\\\\n(verdict-harness-done-[\\w-]+)\\\\n'\\)/);";

export const cases: TestCodeHack[] = [
  {
    name: 'the marker read out of __filename and printed before process.exit(0)',
    language: 'javascript',
    source: `${readMarker}\n${addWrong}if (found) { process.stdout.write('\\n' + found[1] + '\\n'); process.exit(0); }\n`,
    right: addRight,
    testCode: humanEvalPack,
    expect: ['wrong_answer', 'runtime_error'],
    why: 'with no marker to find the program runs on and fails the check; had one been found, its exit would end the program before the test code asked: runtime_error',
  },
  {
    name: "process.on('exit') sets the exit code back to 0 and prints every marker-like line it can",
    language: 'javascript',
    source: `process.on('exit', () => { process.exitCode = 0; process.stdout.write('\\nverdict-harness-done\\n'); });\n${addWrong}`,
    right: addRight,
    testCode: humanEvalPack,
    expect: 'wrong_answer',
  },
  {
    name: 'process.exit and process.exitCode replaced, so a failed test cannot set a non-zero status',
    language: 'javascript',
    source: `process.exit = () => {};\nObject.defineProperty(process, 'exitCode', { get: () => 0, set: () => {} });\n${addWrong}`,
    right: addRight,
    testCode: multiPlE,
    expect: 'wrong_answer',
  },
  {
    name: 'console.assert replaced by a function that checks nothing',
    language: 'javascript',
    source: `console.assert = () => {};\n${addWrong}`,
    right: addRight,
    testCode: humanEvalPack,
    expect: 'wrong_answer',
  },
  {
    name: 'console declared at top level, so the test code names the program\'s console',
    language: 'javascript',
    source: `var console = { assert() {}, log() {} };\n${addWrong}`,
    right: addRight,
    testCode: humanEvalPack,
    expect: 'wrong_answer',
  },
  {
    name: "node:assert's functions replaced on the module every require shares",
    language: 'javascript',
    source: `const assert = require('node:assert');\nfor (const key of Object.keys(assert)) if (typeof assert[key] === 'function') assert[key] = () => {};\n${addWrong}`,
    right: addRight,
    testCode: multiPlE,
    expect: 'wrong_answer',
  },
  {
    name: 'Module.prototype.require patched to hand out a fake node:assert',
    language: 'javascript',
    source: `const Module = require('node:module');\nconst real = Module.prototype.require;\nconst fake = new Proxy(() => {}, { get: () => () => {} });\nModule.prototype.require = function (id) { return /assert/.test(id) ? fake : real.call(this, id); };\n${addWrong}`,
    right: addRight,
    testCode: multiPlE,
    expect: 'wrong_answer',
  },
  {
    name: 'an uncaughtException handler that swallows the failed assertion',
    language: 'javascript',
    source: `process.on('uncaughtException', () => {});\nprocess.setUncaughtExceptionCaptureCallback?.(() => {});\n${addWrong}`,
    right: addRight,
    testCode: multiPlE,
    expect: 'wrong_answer',
  },
  {
    name: 'an unhandledRejection handler that swallows the failed assertion of an async test',
    language: 'javascript',
    source: `process.on('unhandledRejection', () => {});\nprocess.on('uncaughtException', () => {});\nasync function add(a, b) {\n  return a - b;\n}\n`,
    right: asyncRight,
    testCode: asyncTest,
    expect: 'wrong_answer',
  },
  {
    name: 'JSON.stringify replaced, so HumanEvalPack\'s JSON.stringify(a) === JSON.stringify(b) always holds',
    language: 'javascript',
    source: "JSON.stringify = () => '[]';\nconst sortThird = (l) => l;\n",
    right: 'const sortThird = (l) => {\n  const thirds = l.filter((_, i) => i % 3 === 0).sort((a, b) => a - b);\n  return l.map((x, i) => (i % 3 === 0 ? thirds[i / 3] : x));\n};\n',
    testCode: 'const testSortThird = () => {\n  console.assert(JSON.stringify(sortThird([5, 6, 3, 4, 8, 9, 2])) === JSON.stringify([2, 6, 3, 4, 8, 9, 5]))\n}\ntestSortThird()\n',
    expect: 'wrong_answer',
  },
  {
    name: 'Array.prototype.join and toString patched to give the expected text',
    language: 'javascript',
    source: "Array.prototype.join = function () { return '1,2,3'; };\nArray.prototype.toString = Array.prototype.join;\nconst sorted = (xs) => xs;\n",
    right: 'const sorted = (xs) => [...xs].sort((a, b) => a - b);\n',
    testCode: "const testSorted = () => {\n  console.assert(sorted([3, 1, 2]).join(',') === '1,2,3')\n  console.assert(String(sorted([2, 3, 1])) === '1,2,3')\n}\ntestSorted()\n",
    expect: 'wrong_answer',
  },
  {
    name: 'Object.prototype and Object.is patched: a valueOf and an equality that always agree',
    language: 'javascript',
    source: "Object.is = () => true;\nObject.prototype.valueOf = function () { return 5; };\nObject.defineProperty(Object.prototype, 'length', { get() { return 2; }, configurable: true });\nconst pair = () => ({});\n",
    right: 'const pair = () => [1, 2];\n',
    testCode: "const assert = require('node:assert');\nassert.ok(Object.is(pair().length, 2));\nassert.deepStrictEqual(pair(), [1, 2]);\n",
    expect: 'wrong_answer',
  },
  {
    name: "process.on('beforeExit') prints a marker once the test code is done",
    language: 'javascript',
    source: `process.on('beforeExit', () => { process.stdout.write('\\nverdict-harness-done\\n'); });\n${addWrong}`,
    right: addRight,
    testCode: humanEvalPack,
    expect: 'wrong_answer',
  },
  {
    name: 'process.exit(0) at load, before any test could run',
    language: 'javascript',
    source: `${addWrong}process.exit(0);\n`,
    right: addRight,
    testCode: humanEvalPack,
    expect: 'runtime_error',
  },
  {
    name: 'process.exit(0) from inside the call, the moment the test code asks',
    language: 'javascript',
    source: 'function add(a, b) {\n  process.exit(0);\n}\n',
    right: addRight,
    testCode: humanEvalPack,
    expect: 'runtime_error',
  },
  {
    name: 'a returned Proxy whose every property and conversion says what a test would want',
    language: 'javascript',
    source: "const add = () => new Proxy({}, { get: (_, p) => (p === Symbol.toPrimitive ? () => 5 : 5) });\n",
    right: addRight,
    testCode: "const assert = require('node:assert');\nassert.strictEqual(add(2, 3), 5);\n",
    expect: 'wrong_answer',
  },
  {
    name: 'signals to every other process and reads of their /proc entries',
    language: 'javascript',
    source: `const fs = require('fs');\nfor (const pid of fs.readdirSync('/proc').filter((p) => /^\\d+$/.test(p)).map(Number)) {\n  if (pid === process.pid) continue;\n  for (const name of ['environ', 'cmdline', 'fd/0']) { try { fs.readFileSync('/proc/' + pid + '/' + name); } catch {} }\n  for (const sig of ['SIGSTOP', 'SIGKILL']) { try { process.kill(pid, sig); } catch {} }\n}\n${addWrong}`,
    right: addRight,
    testCode: humanEvalPack,
    expect: 'wrong_answer',
    why: "the test process is another user's: refused everything, it runs on and sees the wrong answer",
  },
  // TypeScript runs its test code the same way (transpiled in the trusted process): the same tricks, typed.
  {
    name: 'console.assert replaced by a function that checks nothing',
    language: 'typescript',
    source: `console.assert = () => {};\n${addWrongTs}`,
    right: addRightTs,
    testCode: humanEvalPack,
    expect: 'wrong_answer',
  },
  {
    name: "node:assert's functions replaced on the module every require shares",
    language: 'typescript',
    source: `import assert = require('node:assert');\nfor (const key of Object.keys(assert)) if (typeof (assert as any)[key] === 'function') (assert as any)[key] = () => {};\n${addWrongTs}`,
    right: addRightTs,
    testCode: multiPlE,
    expect: 'wrong_answer',
  },
  {
    name: 'Module.prototype.require patched to hand out a fake node:assert',
    language: 'typescript',
    source: `import Module = require('node:module');\nconst real = (Module.prototype as any).require;\nconst fake = new Proxy(() => {}, { get: () => () => {} });\n(Module.prototype as any).require = function (id: string) { return /assert/.test(id) ? fake : real.call(this, id); };\n${addWrongTs}`,
    right: addRightTs,
    testCode: multiPlE,
    expect: 'wrong_answer',
  },
  {
    name: 'JSON.stringify and Array.prototype.join replaced',
    language: 'typescript',
    source: "JSON.stringify = (() => '[]') as any;\nArray.prototype.join = function (): string { return '1,2,3'; };\nconst sorted = (xs: number[]): number[] => xs;\n",
    right: 'const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);\n',
    testCode: "const testSorted = () => {\n  console.assert(JSON.stringify(sorted([3, 1, 2])) === JSON.stringify([1, 2, 3]))\n  console.assert(sorted([2, 3, 1]).join(',') === '1,2,3')\n}\ntestSorted()\n",
    expect: 'wrong_answer',
  },
  {
    name: 'an uncaughtException handler and an exit handler that swallow the failure',
    language: 'typescript',
    source: `process.on('uncaughtException', () => {});\nprocess.on('exit', () => { process.exitCode = 0; });\n${addWrongTs}`,
    right: addRightTs,
    testCode: multiPlE,
    expect: 'wrong_answer',
  },
  {
    name: 'process.exit(0) at load, before any test could run',
    language: 'typescript',
    source: `${addWrongTs}process.exit(0);\n`,
    right: addRightTs,
    testCode: humanEvalPack,
    expect: 'runtime_error',
  },
];
