/** Failure locations from what each runtime prints (samples captured from the sandboxes). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failureLocation, reportWindow } from '../../src/judge/location.js';

const PYTHON_TRACEBACK = `Traceback (most recent call last):
  File "/box/main.py", line 7, in <module>
    check(add)
  File "/box/main.py", line 5, in check
    assert candidate(2, 3) == 5
  File "/box/main.py", line 2, in add
    return a / 0
           ~~^~~
ZeroDivisionError: division by zero
`;

describe('failure locations', () => {
  it("python: the innermost frame in the candidate's own lines, not the composed test code", () => {
    assert.deepEqual(failureLocation('python', PYTHON_TRACEBACK, { files: ['main.py'], composed: { file: 'main.py', lines: 3 } }), {
      exceptionType: 'ZeroDivisionError',
      message: 'division by zero',
      file: 'main.py',
      line: 2,
    });
  });

  it('python: a failed assertion in the test code names no candidate line', () => {
    const stderr = `Traceback (most recent call last):
  File "/box/main.py", line 9, in <module>
    check(add)
  File "/box/main.py", line 6, in check
    assert candidate(2, 3) == 5
AssertionError
`;
    assert.deepEqual(failureLocation('python', stderr, { files: ['main.py'], composed: { file: 'main.py', lines: 3 } }), {
      exceptionType: 'AssertionError',
      message: null,
      file: null,
      line: null,
    });
  });

  it('python: library frames are skipped, a module of the program counts', () => {
    const stderr = `Traceback (most recent call last):
  File "/box/main.py", line 3, in <module>
    helper.go()
  File "/box/lib/helper.py", line 4, in go
    json.loads("{")
  File "/usr/lib/python3.11/json/__init__.py", line 346, in loads
    return _default_decoder.decode(s)
json.decoder.JSONDecodeError: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)
`;
    assert.deepEqual(failureLocation('python', stderr, { files: ['main.py', 'lib/helper.py'] }), {
      exceptionType: 'json.decoder.JSONDecodeError',
      message: 'Expecting property name enclosed in double quotes: line 1 column 2 (char 1)',
      file: 'lib/helper.py',
      line: 4,
    });
  });

  it('python: a syntax error', () => {
    const stderr = `  File "/box/main.py", line 1\n    def f(:\n          ^\nSyntaxError: invalid syntax\n`;
    assert.deepEqual(failureLocation('python', stderr, { files: ['main.py'] }), { exceptionType: 'SyntaxError', message: 'invalid syntax', file: 'main.py', line: 1 });
  });

  it('javascript: the first own frame of the stack', () => {
    const stderr = `/box/main.js:2\n  return x.y.z;\n             ^\n\nTypeError: Cannot read properties of undefined (reading 'z')\n    at f (/box/main.js:2:14)\n    at Object.<anonymous> (/box/main.js:4:1)\n    at Module._compile (node:internal/modules/cjs/loader:1364:14)\n\nNode.js v18.20.4\n`;
    assert.deepEqual(failureLocation('javascript', stderr, { files: ['main.js'] }), {
      exceptionType: 'TypeError',
      message: "Cannot read properties of undefined (reading 'z')",
      file: 'main.js',
      line: 2,
    });
  });

  it('java, go and rust', () => {
    assert.deepEqual(
      failureLocation('java', 'Exception in thread "main" java.lang.ArithmeticException: / by zero\n\tat Main.f(Main.java:3)\n\tat Main.main(Main.java:6)\n', { files: ['Main.java'] }),
      { exceptionType: 'java.lang.ArithmeticException', message: '/ by zero', file: 'Main.java', line: 3 },
    );
    assert.deepEqual(
      failureLocation('go', 'panic: runtime error: index out of range [5] with length 1\n\ngoroutine 1 [running]:\nmain.f(...)\n\t/box/main.go:4\nmain.main()\n\t/box/main.go:8 +0x1d\n', { files: ['main.go'] }),
      { exceptionType: 'panic', message: 'runtime error: index out of range [5] with length 1', file: 'main.go', line: 4 },
    );
    assert.deepEqual(
      failureLocation('rust', "thread 'main' panicked at 'index out of bounds: the len is 1 but the index is 5', main.rs:2:5\nnote: run with `RUST_BACKTRACE=1`\n", {
        files: ['main.rs'],
        composed: { file: 'main.rs', lines: 3 },
      }),
      { exceptionType: 'panic', message: 'index out of bounds: the len is 1 but the index is 5', file: 'main.rs', line: 2 },
    );
  });

  it('nothing recognisable, or a language without stack reports', () => {
    assert.equal(failureLocation('python', 'just some text\n', { files: ['main.py'] }), undefined);
    assert.equal(failureLocation('cpp', 'Segmentation fault\n', { files: ['main.cpp'] }), undefined);
  });
});

describe('reportWindow: the head and tail of a captured stderr, decoded', () => {
  it('is all of a short stderr and the two ends of a long one, whatever sits between', () => {
    assert.equal(reportWindow(Buffer.from('Traceback\nValueError: x\n')), 'Traceback\nValueError: x\n');
    const long = Buffer.concat([Buffer.from('head report\n'), Buffer.alloc(16 * 1024 * 1024, 0x0a), Buffer.from('  File "/box/main.py", line 3\nSyntaxError: bad\n')]);
    const window = reportWindow(long);
    assert.ok(window.length <= 2 * 64 * 1024 + 1, `${window.length} characters`);
    assert.ok(window.startsWith('head report\n'));
    assert.ok(window.endsWith('SyntaxError: bad\n'));
  });
});
