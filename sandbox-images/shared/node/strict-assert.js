'use strict';
// Verdict's rule for JavaScript and TypeScript: a failed console.assert fails the program.
// Node only prints "Assertion failed" and exits 0, so a test written with console.assert
// (as HumanEvalPack's are) would accept any answer. Preloaded with --require: a failed
// assertion still prints what Node prints, then throws an AssertionError, and sets a
// non-zero exit code in case the program catches that error.
const { AssertionError } = require('node:assert');
const { format } = require('node:util');

const nodeAssert = console.assert;
console.assert = function assert(value, ...data) {
  if (value) return;
  nodeAssert.call(console, value, ...data);
  process.exitCode = 1;
  throw new AssertionError({
    message: data.length > 0 ? `console.assert failed: ${format(...data)}` : 'console.assert failed',
    actual: value,
    expected: true,
    operator: 'console.assert',
    stackStartFn: assert,
  });
};
