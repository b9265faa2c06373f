/**
 * The images' own tools for function-call tests, coverage and line segmentation
 * (python: call.py, cover.py, segment.py; javascript: call.js), run in the real
 * images through a SandboxSession as the candidate's user, as the judge runs them.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { nodeRunFlags } from '../../src/languages/javascript/index.js';
import { languages } from '../../src/languages/registry.js';
import type { BuildContext, LanguageDefinition } from '../../src/languages/types.js';
import type { RunRecord } from '../../src/sandbox/protocol.js';
import type { SandboxSession } from '../../src/sandbox/session.js';
import { startTestApp } from '../helpers/app.js';
import { runOk, SANDBOX_MEMORY_BYTES, withSandbox } from '../helpers/sandbox.js';

const t = await startTestApp();
const python = languages.find((l) => l.id === 'python')!;
const javascript = languages.find((l) => l.id === 'javascript')!;
const ctx: BuildContext = { entry: 'main', entrySource: '', sources: [], memoryBytes: SANDBOX_MEMORY_BYTES, cpus: 1 };

/** One sandbox of the language's image, with the given files written to /box. */
async function withBox(lang: LanguageDefinition, files: Record<string, string>, body: (s: Box) => Promise<void>): Promise<void> {
  await withSandbox(t, lang, 300_000 + Math.floor(Math.random() * 100_000), async (session) => {
    for (const [name, content] of Object.entries(files)) await session.writeFile(name, content);
    await body(new Box(session, lang));
  });
}

class Box {
  constructor(
    private readonly session: SandboxSession,
    private readonly lang: LanguageDefinition,
  ) {}

  run(argv: string[], stdin = '', env: Record<string, string> = {}): Promise<RunRecord> {
    return runOk(this.session, { argv, stdin, env: { ...this.lang.env(ctx), ...env } });
  }
}

interface Called {
  record: RunRecord;
  /** What the program printed before the result line. */
  before: string;
  /** The result JSON, or undefined when no result line came. */
  result: { ok: boolean; value?: unknown; error?: string; coverage?: Record<string, number[]> } | undefined;
}

/** The output protocol: stdout ends with "\n<marker>\n<json>\n", nothing after it. */
function parseCalled(record: RunRecord, marker: string): Called {
  const stdout = record.stdout.toString('utf8');
  const needle = `\n${marker}\n`;
  const at = stdout.lastIndexOf(needle);
  if (at < 0) return { record, before: stdout, result: undefined };
  const json = stdout.slice(at + needle.length);
  assert.ok(json.endsWith('\n') && json.indexOf('\n') === json.length - 1, `one JSON line ends stdout: ${JSON.stringify(json)}`);
  return { record, before: stdout.slice(0, at), result: JSON.parse(json) as Called['result'] };
}

async function call(box: Box, argv: string[], request: Record<string, unknown> = {}): Promise<Called> {
  const marker = `verdict-call-${randomUUID()}`;
  const record = await box.run(argv, JSON.stringify({ marker, args: [], ...request }));
  return parseCalled(record, marker);
}

function ok(c: Called): unknown {
  assert.equal(c.record.exitCode, 0, c.record.stderr.toString());
  assert.ok(c.result, `a result line: ${c.record.stdout.toString()}`);
  assert.equal(c.result.ok, true, c.result.error);
  return c.result.value;
}

function refused(c: Called): string {
  assert.equal(c.record.exitCode, 0, c.record.stderr.toString());
  assert.equal(c.result?.ok, false, JSON.stringify(c.result));
  return c.result.error ?? '';
}

const pyCall = (file: string, entry: string) => ['python3', '/opt/verdict/python/call.py', file, entry];

const PY_MAIN = `import asyncio, sys

def add(a, b):
    return a + b

def greet(name, *, greeting="hello", punct="."):
    return f"{greeting} {name}{punct}"

class Solution:
    def twoSum(self, nums, target):
        seen = {}
        for i, n in enumerate(nums):
            if target - n in seen:
                return [seen[target - n], i]
            seen[n] = i

async def slow_double(x):
    await asyncio.sleep(0.01)
    return 2 * x

def big():
    return [2**53 - 1, 2**53, -(2**64), 10**400]

def floats():
    return [float("nan"), float("inf"), -float("inf"), 0.5, -0.0]

def nested():
    return {"a": [1, {"b": None, "c": [True, False]}], "é": "ü", "t": (1, (2, 3))}

def pair():
    return (1, "x")

class AlwaysEqual(int):
    def __eq__(self, other):
        return True
    __hash__ = int.__hash__

def rigged():
    return [1, {"key": AlwaysEqual(3)}]

class Point:
    def __init__(self):
        self.x = 1

def custom():
    return {"p": Point()}

def a_set():
    return {1, 2}

def some_bytes():
    return [0, [b"raw"]]

def int_keys():
    return {"ok": {1: "one"}}

def divide(a, b):
    return a // b

def leave():
    print("leaving")
    sys.exit(0)

def chatty():
    print("one")
    sys.stdout.write("two, no newline")
    print("to stderr", file=sys.stderr)
    return "done"

def read_stdin():
    import os
    return [sys.stdin.read(), sys.stdin.buffer.read().decode(), os.read(0, 100).decode()]

if __name__ == "__main__":
    print("the main block ran")
`;

describe('python call.py', () => {
  it('calls functions and methods and encodes their values as JSON', async () => {
    await withBox(python, { 'main.py': PY_MAIN }, async (box) => {
      assert.equal(ok(await call(box, pyCall('main.py', 'add'), { args: [2, 3] })), 5);
      assert.equal(ok(await call(box, pyCall('main.py', 'greet'), { args: ['ada'], kwargs: { punct: '!' } })), 'hello ada!');
      assert.deepEqual(ok(await call(box, pyCall('main.py', 'Solution.twoSum'), { args: [[2, 7, 11, 15], 9] })), [0, 1]);
      assert.equal(ok(await call(box, pyCall('main.py', 'slow_double'), { args: [21] })), 42);
      assert.deepEqual(ok(await call(box, pyCall('main.py', 'big'))), [
        2 ** 53 - 1,
        { $int: '9007199254740992' },
        { $int: '-18446744073709551616' },
        { $int: `1${'0'.repeat(400)}` },
      ]);
      assert.deepEqual(ok(await call(box, pyCall('main.py', 'floats'))), [{ $float: 'nan' }, { $float: 'inf' }, { $float: '-inf' }, 0.5, -0]);
      assert.deepEqual(ok(await call(box, pyCall('main.py', 'nested'))), { a: [1, { b: null, c: [true, false] }], é: 'ü', t: [1, [2, 3]] });
      assert.deepEqual(ok(await call(box, pyCall('main.py', 'pair'))), [1, 'x']);
    });
  });

  it('refuses values that are not plain JSON, saying where they are', async () => {
    await withBox(python, { 'main.py': PY_MAIN }, async (box) => {
      assert.match(refused(await call(box, pyCall('main.py', 'rigged'))), /contains an AlwaysEqual \(a subclass of int\) at \[1\]\.key, which is not a JSON value/);
      assert.match(refused(await call(box, pyCall('main.py', 'custom'))), /contains a Point at \.p\b/);
      assert.match(refused(await call(box, pyCall('main.py', 'a_set'))), /^the return value is a set, which is not a JSON value$/);
      assert.match(refused(await call(box, pyCall('main.py', 'some_bytes'))), /contains a bytes at \[1\]\[0\]/);
      assert.match(refused(await call(box, pyCall('main.py', 'int_keys'))), /dict key that is an int at \.ok/);
      assert.match(refused(await call(box, pyCall('main.py', 'missing'))), /main\.py defines no top-level name 'missing'/);
    });
  });

  it('leaves exceptions, exits, output and stdin to the program', async () => {
    await withBox(python, { 'main.py': PY_MAIN }, async (box) => {
      const failed = await call(box, pyCall('main.py', 'divide'), { args: [1, 0] });
      assert.equal(failed.record.exitCode, 1);
      assert.equal(failed.result, undefined);
      const stderr = failed.record.stderr.toString();
      assert.match(stderr, /File "\/box\/main\.py", line 58, in divide\n/);
      assert.match(stderr, /ZeroDivisionError: integer division or modulo by zero\n$/);

      const left = await call(box, pyCall('main.py', 'leave'));
      assert.equal(left.record.exitCode, 0);
      assert.equal(left.result, undefined, 'sys.exit(0) in the call: no result line');
      assert.equal(left.before, 'leaving\n');

      const chatty = await call(box, pyCall('main.py', 'chatty'));
      assert.equal(ok(chatty), 'done');
      assert.equal(chatty.before, 'one\ntwo, no newline', 'what the call printed comes before the result, the main block never ran');
      assert.equal(chatty.record.stderr.toString(), 'to stderr\n');

      assert.deepEqual(ok(await call(box, pyCall('main.py', 'read_stdin'))), ['', '', '']);
    });
  });
});

const COVERED = `import threading
import helper

def work(n):
    if n > 100:
        return "big"
    return "small"

def in_thread(out):
    out.append(helper.double(2))

out = []
t = threading.Thread(target=in_thread, args=(out,))
t.start()
t.join()
print(work(5), out)
`;

const EXITS = `import os, subprocess, sys
print("env:", os.environ.get("VERDICT_COVERAGE_MARKER"), flush=True)
subprocess.run(["sh", "-c", "echo child: \${VERDICT_COVERAGE_MARKER:-unset}"])
if sys.argv[1] == "raise":
    raise ValueError("boom")
if sys.argv[1] == "exit3":
    sys.exit(3)
if sys.argv[1] == "os._exit":
    sys.stdout.flush()
    os._exit(0)
`;

describe('python cover.py', () => {
  const cover = async (box: Box, args: string[]) => {
    const marker = `verdict-cover-${randomUUID()}`;
    const record = await box.run(['python3', '/opt/verdict/python/cover.py', ...args], '', { VERDICT_COVERAGE_MARKER: marker });
    return parseCalled(record, marker);
  };

  it("reports the lines run in the program's files, threads included, the standard library not", async () => {
    await withBox(python, { 'main.py': COVERED, 'helper.py': 'def double(x):\n    return 2 * x\n' }, async (box) => {
      const c = await cover(box, ['main.py']);
      assert.equal(c.record.exitCode, 0, c.record.stderr.toString());
      assert.equal(c.before, 'small [4]\n');
      assert.deepEqual(c.result, { coverage: { 'helper.py': [1, 2], 'main.py': [1, 2, 4, 5, 7, 9, 10, 12, 13, 14, 15, 16] } });
    });
  });

  it('fills in the lines Python runs without a line event: continuation lines, else:, try:, finally:', async () => {
    const program = [
      'def f(x):', //            1
      '    if x > 0:', //        2
      '        y = 1', //        3
      '    else:', //            4
      '        y = 2', //        5
      '    vals = [1,', //       6
      '            2, 3]', //    7
      '    try:', //             8
      '        z = 1', //        9
      '    except ValueError:', // 10
      '        z = 2', //        11
      '    finally:', //         12
      '        z = 3', //        13
      '    return (y +', //      14
      '            z)', //       15
      'f(-1)', //                16
      '',
    ].join('\n');
    await withBox(python, { 'main.py': program }, async (box) => {
      const c = await cover(box, ['main.py']);
      assert.deepEqual(c.result, { coverage: { 'main.py': [1, 2, 4, 5, 6, 7, 8, 9, 12, 13, 14, 15, 16] } });
    });
  });

  it('keeps the exit status and the traceback, reports nothing after os._exit, hides its marker', async () => {
    await withBox(python, { 'main.py': EXITS }, async (box) => {
      const raised = await cover(box, ['main.py', 'raise']);
      assert.equal(raised.record.exitCode, 1);
      assert.match(raised.record.stderr.toString(), /File "\/box\/main\.py", line 5, in <module>\n[\s\S]*ValueError: boom\n$/);
      assert.equal(raised.before, 'env: None\nchild: unset\n', 'neither the program nor its children see the marker');
      assert.deepEqual(raised.result, { coverage: { 'main.py': [1, 2, 3, 4, 5] } });

      const exited = await cover(box, ['main.py', 'exit3']);
      assert.equal(exited.record.exitCode, 3);
      assert.deepEqual(exited.result, { coverage: { 'main.py': [1, 2, 3, 4, 6, 7] } });

      const hard = await cover(box, ['main.py', 'os._exit']);
      assert.equal(hard.record.exitCode, 0);
      assert.equal(hard.result, undefined, 'os._exit skips the report: coverage unknown');
    });
  });

  it('call.py reports the coverage of the import and the call', async () => {
    const source = 'def sign(x):\n    if x < 0:\n        return -1\n    return 1\n\nTOP = 1\n';
    await withBox(python, { 'main.py': source }, async (box) => {
      const c = await call(box, pyCall('main.py', 'sign'), { args: [5], coverage: true });
      assert.equal(ok(c), 1);
      assert.deepEqual(c.result?.coverage, { 'main.py': [1, 2, 4, 6] });
    });
  });
});

const SEGMENTED = `"""Module doc.

Still the docstring."""
import os  # a comment after code

# a comment
    \t
def outer(n):
    text = """first
# not a comment
"""
    for i in range(n):
        if i % 2:
            continue
        elif i > 5:
            break
    return text
`;

describe('python segment.py', () => {
  const segment = async (box: Box, source: string) => {
    const record = await box.run(['python3', '/opt/verdict/python/segment.py'], source);
    assert.equal(record.exitCode, 0, record.stderr.toString());
    return JSON.parse(record.stdout.toString()) as {
      lines: { line: number; kind: string }[];
      statements: { startLine: number; endLine: number; type: string; depth: number }[];
      syntaxError: { line: number | null; message: string } | null;
    };
  };

  it('classifies lines and lists statements with their spans and depths', async () => {
    await withBox(python, {}, async (box) => {
      const s = await segment(box, SEGMENTED);
      assert.equal(s.syntaxError, null);
      assert.deepEqual(s.lines.map((l) => l.line), [...Array(17).keys()].map((i) => i + 1));
      assert.deepEqual(
        s.lines.filter((l) => l.kind !== 'code').map((l) => [l.line, l.kind]),
        [
          [5, 'blank'],
          [6, 'comment'],
          [7, 'blank'],
        ],
      );
      assert.deepEqual(
        s.statements.map((x) => [x.startLine, x.endLine, x.type, x.depth]),
        [
          [1, 3, 'Expr', 0],
          [4, 4, 'Import', 0],
          [8, 17, 'FunctionDef', 0],
          [9, 11, 'Assign', 1],
          [12, 16, 'For', 1],
          [13, 16, 'If', 2],
          [14, 14, 'Continue', 3],
          [15, 16, 'If', 2],
          [16, 16, 'Break', 3],
          [17, 17, 'Return', 1],
        ],
      );
    });
  });

  it('reports a syntax error with its line and still classifies the lines', async () => {
    await withBox(python, {}, async (box) => {
      const s = await segment(box, 'def f(:\n    pass\n\n# c\n');
      assert.deepEqual(s.syntaxError, { line: 1, message: 'invalid syntax' });
      assert.deepEqual(s.statements, []);
      assert.deepEqual(s.lines.map((l) => l.kind), ['code', 'code', 'blank', 'comment']);

      const unterminated = await segment(box, 'x = 1\ny = """\n# inside the string\n');
      assert.equal(unterminated.syntaxError?.line, 2);
      assert.deepEqual(unterminated.lines.map((l) => l.kind), ['code', 'code', 'code']);
    });
  });
});

const JS_MAIN = `function add(a, b) {
  return a + b;
}
const twice = (x) => 2 * x;
class Solution {
  reverse(s) {
    return [...s].reverse().join('');
  }
}
async function later(x) {
  await new Promise((resolve) => setTimeout(resolve, 10));
  return x + 1;
}
function values() {
  return [null, undefined, -0, NaN, Infinity, -Infinity, 2n ** 64n, 7n, [1, , 3], { a: { b: [true] }, skipped: undefined }, Object.create(null)];
}
function getter() {
  return { list: [{ get x() { console.log('the getter ran'); return 1; } }] };
}
function proxy() {
  return [new Proxy({}, { ownKeys() { console.log('a trap ran'); return []; } })];
}
function instance() {
  return { s: new Solution() };
}
function map() {
  return new Map([[1, 2]]);
}
function fail(x) {
  return x.missing.field;
}
async function rejects() {
  throw new RangeError('async failure');
}
function leave() {
  console.log('leaving');
  process.exit(0);
}
function chatty() {
  console.log('one');
  process.stdout.write('two, no newline');
  process.on('exit', () => console.log('an exit listener ran'));
  setInterval(() => {}, 1000);
  return 'done';
}
module.exports = { exported: (x) => \`exported \${x}\` };
if (require.main === module) console.log('the main block ran');
`;

describe('javascript call.js', () => {
  const jsCall = (entry: string) => ['node', ...nodeRunFlags(ctx, '/opt/verdict/js'), '/opt/verdict/js/call.js', 'main.js', entry];

  it('calls declarations, arrows, methods, exports and async functions', async () => {
    await withBox(javascript, { 'main.js': JS_MAIN }, async (box) => {
      assert.equal(ok(await call(box, jsCall('add'), { args: [2, 3] })), 5);
      assert.equal(ok(await call(box, jsCall('twice'), { args: [21] })), 42);
      assert.equal(ok(await call(box, jsCall('Solution.reverse'), { args: ['abc'] })), 'cba');
      assert.equal(ok(await call(box, jsCall('exported'), { args: ['x'] })), 'exported x');
      assert.equal(ok(await call(box, jsCall('later'), { args: [1] })), 2);
      assert.deepEqual(ok(await call(box, jsCall('values'))), [
        null,
        null,
        0,
        { $float: 'nan' },
        { $float: 'inf' },
        { $float: '-inf' },
        { $int: '18446744073709551616' },
        7,
        [1, null, 3],
        { a: { b: [true] } },
        {},
      ]);
      const chatty = await call(box, jsCall('chatty'));
      assert.equal(ok(chatty), 'done');
      assert.equal(chatty.before, 'one\ntwo, no newline', 'before the result; no exit listener or main block ran; no timer held it');
    });
  });

  it('refuses getters, proxies, class instances and Maps without running their code', async () => {
    await withBox(javascript, { 'main.js': JS_MAIN }, async (box) => {
      const getter = await call(box, jsCall('getter'));
      assert.match(refused(getter), /contains a getter at \.list\[0\]\.x, which is not a JSON value/);
      const proxy = await call(box, jsCall('proxy'));
      assert.match(refused(proxy), /contains a Proxy at \[0\]/);
      assert.equal(getter.before + proxy.before, '', 'neither the getter nor a trap ran');
      assert.match(refused(await call(box, jsCall('instance'))), /contains a Solution at \.s\b/);
      assert.match(refused(await call(box, jsCall('map'))), /^the return value is a Map, which is not a JSON value$/);
      assert.match(refused(await call(box, jsCall('missing'))), /main\.js defines no top-level missing/);
    });
  });

  it('leaves exceptions, rejections and process.exit to the program', async () => {
    await withBox(javascript, { 'main.js': JS_MAIN }, async (box) => {
      const failed = await call(box, jsCall('fail'), { args: [{}] });
      assert.equal(failed.record.exitCode, 1);
      assert.equal(failed.result, undefined);
      assert.match(failed.record.stderr.toString(), /TypeError: Cannot read properties of undefined \(reading 'field'\)\n\s+at fail \(\/box\/main\.js:30:\d+\)/);

      const rejected = await call(box, jsCall('rejects'));
      assert.equal(rejected.record.exitCode, 1);
      assert.equal(rejected.result, undefined);
      assert.match(rejected.record.stderr.toString(), /RangeError: async failure\n\s+at rejects \(\/box\/main\.js:33:\d+\)/);

      const left = await call(box, jsCall('leave'));
      assert.equal(left.record.exitCode, 0);
      assert.equal(left.result, undefined, 'process.exit(0) in the call: no result line');
      assert.equal(left.before, 'leaving\n');
    });
  });
});
