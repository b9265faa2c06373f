/** Every verdict, for Python and C++, from real programs in real containers. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startTestApp } from '../helpers/app.js';

const t = await startTestApp();

const GiB = 1024 * 1024 * 1024;
const MiB = 1024 * 1024;

interface Case {
  name: string;
  source: string;
  tests?: Array<Record<string, unknown>>;
  limits?: Record<string, number>;
  expect: string;
  /** Extra facts to check on the first test's result. */
  check?: (result: Awaited<ReturnType<typeof t.submit>>) => void;
}

const python: Case[] = [
  { name: 'accepted', source: 'a, b = map(int, input().split())\nprint(a + b)\n', tests: [{ stdin: '2 3\n', expectedStdout: '5\n' }], expect: 'accepted' },
  { name: 'wrong answer', source: 'a, b = map(int, input().split())\nprint(a - b)\n', tests: [{ stdin: '2 3\n', expectedStdout: '5\n' }], expect: 'wrong_answer' },
  {
    name: 'syntax error is a compile error',
    source: 'def f(:\n  pass\n',
    expect: 'compile_error',
    check: (r) => {
      assert.equal(r.compile?.status, 'failed');
      assert.match(r.compile?.output ?? '', /SyntaxError/);
      assert.equal(r.tests[0]?.verdict, 'skipped');
    },
  },
  {
    name: 'syntax error in the second of three tests is still a compile error for all',
    source: 'import sys\nif sys.stdin.read() == "2":\n    exec("def f(:")\nprint("ok")\n',
    tests: [{ stdin: '1', expectedStdout: 'ok' }, { stdin: '2', expectedStdout: 'ok' }, { stdin: '3', expectedStdout: 'ok' }],
    expect: 'runtime_error',
    check: (r) => {
      // The program raised the SyntaxError itself (exec): the deferred check runs, passes, and the run's verdict stands.
      assert.equal(r.compile?.status, 'ok');
      assert.deepEqual(
        r.tests.map((t) => t.verdict),
        ['accepted', 'runtime_error', 'accepted'],
      );
    },
  },
  {
    name: 'a program that runs has no compile step to report',
    source: 'print("fine")\n',
    expect: 'accepted',
    // The syntax check runs only after a failure that could be a syntax error.
    check: (r) => assert.equal(r.compile, null),
  },
  {
    name: 'a forged syntax error is a runtime error',
    source: 'import sys\nprint("  File \\"/box/main.py\\", line 1\\nSyntaxError: invalid syntax", file=sys.stderr)\nsys.exit(1)\n',
    expect: 'runtime_error',
    check: (r) => assert.equal(r.compile?.status, 'ok'),
  },
  { name: 'exception', source: 'raise ValueError("boom")\n', expect: 'runtime_error', check: (r) => assert.equal(r.tests[0]?.exitCode, 1) },
  { name: 'non-zero exit', source: 'import sys\nsys.exit(3)\n', expect: 'runtime_error', check: (r) => assert.equal(r.tests[0]?.exitCode, 3) },
  {
    name: 'segfault',
    source: 'import ctypes\nctypes.string_at(0)\n',
    expect: 'runtime_error',
    check: (r) => assert.equal(r.tests[0]?.signal, 'SIGSEGV'),
  },
  { name: 'busy loop', source: 'while True:\n    pass\n', limits: { timeMs: 1000 }, expect: 'time_limit_exceeded' },
  {
    name: 'sleep forever hits the wall limit',
    source: 'import time\ntime.sleep(10**6)\n',
    limits: { timeMs: 1000, wallTimeMs: 1500 },
    expect: 'time_limit_exceeded',
    check: (r) => assert.ok(r.tests[0]!.cpuTimeMs < 1000, 'a sleeping program uses little CPU'),
  },
  {
    name: '1 GiB under a 256 MiB limit',
    source: 'x = bytearray(1 << 30)\nprint(len(x))\n',
    limits: { memoryBytes: 256 * MiB },
    expect: 'memory_limit_exceeded',
  },
  {
    name: 'endless printing',
    source: 'while True:\n    print("y" * 1000)\n',
    limits: { outputBytes: MiB },
    expect: 'output_limit_exceeded',
    check: (r) => assert.equal(r.tests[0]?.stdoutTruncated, true),
  },
  {
    name: 'a fork bomb is contained, and the next test runs clean',
    source: [
      'import os, sys',
      'if sys.argv[1:] == ["bomb"]:',
      '    while True:',
      '        try:',
      '            os.fork()',
      '        except OSError:',
      '            pass',
      'print("clean")',
    ].join('\n'),
    tests: [{ args: ['bomb'] }, { expectedStdout: 'clean\n' }],
    limits: { timeMs: 2000, wallTimeMs: 3000, processes: 32 },
    expect: 'time_limit_exceeded',
    check: (r) => assert.equal(r.tests[1]?.verdict, 'accepted'),
  },
  {
    name: 'multi-file program',
    source: '',
    expect: 'accepted',
  },
];

const cpp: Case[] = [
  {
    name: 'accepted',
    source: '#include <iostream>\nint main() { long a, b; std::cin >> a >> b; std::cout << a + b << "\\n"; }\n',
    tests: [{ stdin: '2 3\n', expectedStdout: '5\n' }],
    expect: 'accepted',
  },
  {
    name: 'wrong answer',
    source: '#include <iostream>\nint main() { long a, b; std::cin >> a >> b; std::cout << a * b << "\\n"; }\n',
    tests: [{ stdin: '2 3\n', expectedStdout: '5\n' }],
    expect: 'wrong_answer',
  },
  {
    name: 'compile error',
    source: 'int main() { return undefined_name; }\n',
    expect: 'compile_error',
    check: (r) => {
      assert.equal(r.compile?.status, 'failed');
      assert.match(r.compile?.output ?? '', /undefined_name/);
    },
  },
  { name: 'exception', source: '#include <stdexcept>\nint main() { throw std::runtime_error("boom"); }\n', expect: 'runtime_error', check: (r) => assert.equal(r.tests[0]?.signal, 'SIGABRT') },
  { name: 'non-zero exit', source: 'int main() { return 7; }\n', expect: 'runtime_error', check: (r) => assert.equal(r.tests[0]?.exitCode, 7) },
  {
    name: 'segfault',
    source: 'int main() { volatile int *p = nullptr; *p = 1; }\n',
    expect: 'runtime_error',
    check: (r) => assert.equal(r.tests[0]?.signal, 'SIGSEGV'),
  },
  { name: 'busy loop', source: 'int main() { volatile unsigned long x = 0; for (;;) x++; }\n', limits: { timeMs: 1000 }, expect: 'time_limit_exceeded' },
  {
    name: 'sleep forever hits the wall limit',
    source: '#include <unistd.h>\nint main() { for (;;) sleep(1000); }\n',
    limits: { timeMs: 1000, wallTimeMs: 1500 },
    expect: 'time_limit_exceeded',
  },
  {
    name: '1 GiB under a 256 MiB limit',
    // Prints what it touched, so the compiler cannot drop the allocation.
    source: '#include <cstdio>\n#include <vector>\nint main() { std::vector<char> v(1UL << 30, 1); long s = 0; for (size_t i = 0; i < v.size(); i += 4096) s += v[i]; printf("%ld\\n", s); }\n',
    limits: { memoryBytes: 256 * MiB },
    expect: 'memory_limit_exceeded',
  },
  {
    name: 'endless printing',
    source: '#include <cstdio>\nint main() { for (;;) puts("yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"); }\n',
    limits: { outputBytes: MiB },
    expect: 'output_limit_exceeded',
  },
  {
    name: 'a fork bomb is contained, and the next test runs clean',
    source:
      '#include <unistd.h>\n#include <cstring>\n#include <cstdio>\nint main(int argc, char **argv) {\n  if (argc > 1 && !strcmp(argv[1], "bomb")) for (;;) fork();\n  puts("clean");\n}\n',
    tests: [{ args: ['bomb'] }, { expectedStdout: 'clean\n' }],
    limits: { timeMs: 2000, wallTimeMs: 3000, processes: 32 },
    expect: 'time_limit_exceeded',
    check: (r) => assert.equal(r.tests[1]?.verdict, 'accepted'),
  },
  { name: 'multi-file program', source: '', expect: 'accepted' },
];

const multiFile: Record<string, { files: Array<{ path: string; content: string }> }> = {
  python: {
    files: [
      { path: 'main.py', content: 'from lib.geometry import area\nprint(area(3, 4))\n' },
      { path: 'lib/__init__.py', content: '' },
      { path: 'lib/geometry.py', content: 'def area(w, h):\n    return w * h\n' },
    ],
  },
  cpp: {
    files: [
      { path: 'main.cpp', content: '#include <cstdio>\n#include "geometry.h"\nint main() { printf("%d\\n", area(3, 4)); }\n' },
      { path: 'geometry.h', content: 'int area(int w, int h);\n' },
      { path: 'geometry.cpp', content: '#include "geometry.h"\nint area(int w, int h) { return w * h; }\n' },
    ],
  },
};

const suites: Array<[string, Case[]]> = [
  ['python', python],
  ['cpp', cpp],
];
for (const [language, cases] of suites) {
  describe(`${language} verdicts`, () => {
    for (const c of cases) {
      it(c.name, async () => {
        const program = c.name === 'multi-file program' ? multiFile[language]! : { source: c.source };
        const tests = c.name === 'multi-file program' ? [{ expectedStdout: '12\n' }] : c.tests;
        const started = performance.now();
        const result = await t.submit({ language, ...program, ...(tests ? { tests } : {}), ...(c.limits ? { limits: c.limits } : {}) });
        const tookMs = performance.now() - started;
        assert.equal(result.verdict, c.expect, JSON.stringify(result.tests[0] ?? result.compile).slice(0, 800));
        c.check?.(result);
        // Whatever the program does, the answer comes within its limits plus container overheads.
        const limits = result.manifest.limits;
        const bound = limits.compileTimeMs * 2 + result.tests.length * limits.wallTimeMs + 30_000;
        assert.ok(tookMs < bound, `answered after ${tookMs} ms, beyond ${bound} ms`);
      });
    }
  });
}

describe('submission semantics', () => {
  it('with no tests, runs the program once and accepts exit 0', async () => {
    const ok = await t.submit({ language: 'python', source: 'assert 1 + 1 == 2\n' });
    assert.equal(ok.verdict, 'accepted');
    assert.equal(ok.total, 1);
    const bad = await t.submit({ language: 'python', source: 'assert 1 + 1 == 3\n' });
    assert.equal(bad.verdict, 'runtime_error');
    assert.match(bad.tests[0]!.stderr, /AssertionError/);
  });

  it('reports the first non-accepted test as the overall verdict, in test order', async () => {
    const r = await t.submit({
      language: 'python',
      source: 'import sys\nn = int(input())\nif n == 2: print("wrong")\nelif n == 3: sys.exit(1)\nelse: print(n)\n',
      tests: [
        { id: 'one', stdin: '1', expectedStdout: '1' },
        { id: 'two', stdin: '2', expectedStdout: '2' },
        { id: 'three', stdin: '3', expectedStdout: '3' },
      ],
    });
    assert.deepEqual(
      r.tests.map((x) => [x.id, x.verdict]),
      [
        ['one', 'accepted'],
        ['two', 'wrong_answer'],
        ['three', 'runtime_error'],
      ],
    );
    assert.equal(r.verdict, 'wrong_answer');
    assert.equal(r.passed, 1);
    assert.equal(r.total, 3);
  });

  it('skips the remaining tests after the first failure when asked', async () => {
    const r = await t.submit({
      language: 'python',
      source: 'print(input())\n',
      tests: [{ stdin: 'a', expectedStdout: 'b' }, { stdin: 'c', expectedStdout: 'c' }],
      stopOnFirstFailure: true,
    });
    assert.deepEqual(r.tests.map((x) => x.verdict), ['wrong_answer', 'skipped']);
  });

  it('passes args and large stdin through unchanged', async () => {
    const big = 'x'.repeat(2 * MiB) + '\n';
    const r = await t.submit({
      language: 'python',
      source: 'import sys\ndata = sys.stdin.read()\nprint(len(data), *sys.argv[1:])\n',
      tests: [{ stdin: big, args: ['a b', '--flag'], expectedStdout: `${big.length} a b --flag\n` }],
    });
    assert.equal(r.verdict, 'accepted', r.tests[0]?.stdout);
  });

  it('lets a program reopen its stdio by name (/dev/stdin, /dev/stdout)', async () => {
    const r = await t.submit({
      language: 'python',
      source: 'data = open("/dev/stdin").read()\nwith open("/dev/stdout", "w") as out:\n    out.write(str(sum(map(int, data.split()))) + "\\n")\n',
      tests: [{ stdin: '2 3\n', expectedStdout: '5\n' }],
    });
    assert.equal(r.verdict, 'accepted', r.tests[0]?.stderr);
  });

  it('compares with each checker mode', async () => {
    const source = 'print("  1.0000001   2  ")\nprint()\n';
    const judge = async (checker: unknown, expectedStdout: string) =>
      (await t.submit({ language: 'python', source, checker, tests: [{ expectedStdout }] })).verdict;
    assert.equal(await judge('exact', '  1.0000001   2  \n\n'), 'accepted');
    assert.equal(await judge('exact', '  1.0000001   2\n'), 'wrong_answer');
    assert.equal(await judge('lines', '  1.0000001   2'), 'accepted');
    assert.equal(await judge('lines', '1.0000001 2'), 'wrong_answer');
    assert.equal(await judge('tokens', '1.0000001 2'), 'accepted');
    assert.equal(await judge('tokens', '1 2'), 'wrong_answer');
    assert.equal(await judge({ mode: 'float', absTolerance: 1e-6 }, '1 2'), 'accepted');
    assert.equal(await judge({ mode: 'float', absTolerance: 1e-9, relTolerance: 0 }, '1 2'), 'wrong_answer');
  });

  it('compile-only mode runs no test', async () => {
    const ok = await t.submit({ language: 'cpp', source: 'int main() {}\n', mode: 'compile', tests: [{ expectedStdout: 'x' }] });
    assert.equal(ok.verdict, 'accepted');
    assert.equal(ok.compile?.status, 'ok');
    assert.equal(ok.tests.length, 0);
    const bad = await t.submit({ language: 'python', source: 'def (:\n', mode: 'compile' });
    assert.equal(bad.verdict, 'compile_error');
  });

  it('runs the candidate as an unprivileged user with an empty environment and no network', async () => {
    const r = await t.submit({
      language: 'python',
      source: [
        'import os, socket',
        'print(os.getuid() >= 100000, os.getgid())',
        'print(sorted(k for k in os.environ if k not in ("PATH","HOME","TMPDIR","LANG","LC_ALL") and not k.startswith(("PYTHON","OPENBLAS","OMP"))))',
        'try:',
        '    socket.create_connection(("1.1.1.1", 53), timeout=1)',
        '    print("network")',
        'except OSError:',
        '    print("no network")',
        'try:',
        '    open("/etc/evil", "w")',
        'except OSError:',
        '    print("read-only root")',
      ].join('\n'),
      tests: [{ expectedStdout: 'True 10001\n[]\nno network\nread-only root\n' }],
    });
    assert.equal(r.verdict, 'accepted', r.tests[0]?.stdout + r.tests[0]!.stderr);
  });

  it('reports the limits it applied and the image it used', async () => {
    const r = await t.submit({ language: 'py', source: 'print(1)', limits: { timeMs: 1500, memoryBytes: 128 * MiB } });
    assert.equal(r.manifest.language, 'python');
    assert.equal(r.manifest.limits.timeMs, 1500);
    assert.equal(r.manifest.limits.memoryBytes, 128 * MiB);
    assert.match(r.manifest.imageId, /^sha256:/);
    assert.match(r.manifest.languageVersion, /^Python 3\./);
    assert.ok(r.tests[0]!.peakMemoryBytes > 0 && r.tests[0]!.peakMemoryBytes < GiB);
  });
});
