/**
 * Line coverage of C and C++ on real Docker: built with --coverage (still -O2), run under
 * /opt/verdict/cover-gcov.sh, read with gcov. The line sets are what gcov reports at -O2,
 * checked by hand: every line reported did run, but not every line that ran is reported
 * (a constant `return -1;`, a function inlined before the instrumentation: src/languages/c-family/gcov.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gcovLines } from '../../src/languages/c-family/gcov.js';
import type { SubmissionResult } from '../../src/schemas.js';
import { startTestApp } from '../helpers/app.js';

const C_SOURCE = `#include <stdio.h>

static int sign(int x) {
  if (x > 0) {
    return 1;
  }
  return -1;
}

int abs_diff(int a, int b) {
  int d = a - b;
  if (d < 0) {
    d = -d;
    printf("swapped\\n");
  }
  return d;
}

int main(void) {
  int a, b;
  if (scanf("%d %d", &a, &b) != 2) {
    puts("bad input");
    return 2;
  }
  printf("%d %d\\n", sign(a), abs_diff(a, b));
  return 0;
}
`;

const C_TESTS = [
  { id: 'positive', stdin: '5 3\n', expectedStdout: '1 2\n' },
  { id: 'swapped', stdin: '-1 3\n', expectedStdout: 'swapped\n-1 4\n' },
  { id: 'bad', stdin: 'x\n', expectedStdout: 'bad input\n' },
];

const CPP_SOURCE = `#include <iostream>
#include <vector>

int main() {
  int n;
  std::cin >> n;
  std::vector<long> v(n);
  for (auto &x : v) std::cin >> x;
  long best = 0;
  for (long x : v) {
    if (x > best) {
      best = x;
    } else if (x < 0) {
      std::cout << "negative\\n";
    }
  }
  std::cout << best << "\\n";
  return 0;
}
`;

// HumanEval-style: the candidate's function, then the test code with its own main.
const HE_SOURCE = `#include<stdio.h>
#include<vector>
using namespace std;
bool is_prime(long long n){
    if (n<2) return false;
    for (long long i=2;i*i<=n;i++)
        if (n%i==0) return false;
    return true;
}
int count_primes(vector<int> xs){
    int c=0;
    for (int x: xs)
        if (is_prime(x)) c++;
    return c;
}
`;
const HE_TEST = `#undef NDEBUG
#include<assert.h>
int main(){
    assert (is_prime(6) == false);
    assert (is_prime(101) == true);
    assert (count_primes({2, 4, 5}) == 2);
}
`;

const CRASHES = `#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  printf("before");
  fflush(stdout);
  if (!strcmp(argv[1], "segv")) {
    volatile int *p = 0;
    *p = 1;
  }
  if (!strcmp(argv[1], "abort")) abort();
  if (!strcmp(argv[1], "kill")) kill(getpid(), SIGKILL);
  _exit(strcmp(argv[1], "_exit139") ? 3 : 139);
}
`;

/** What a run is, apart from its coverage and its timings. */
function facts(r: SubmissionResult) {
  return {
    verdict: r.verdict,
    tests: r.tests.map((x) => ({ id: x.id, verdict: x.verdict, exitCode: x.exitCode, signal: x.signal, stdout: x.stdout, stderr: x.stderr, harnessCompleted: x.harnessCompleted })),
  };
}

function coverageOf(r: SubmissionResult): Array<SubmissionResult['tests'][number]['coverage']> {
  return r.tests.map((x) => x.coverage);
}

describe('C and C++ line coverage', async () => {
  const t = await startTestApp({ VERDICT_CONCURRENCY: '2' });

  /** The program judged with and without coverage: the same verdicts, exit statuses and output. */
  async function both(body: Record<string, unknown>): Promise<SubmissionResult> {
    const [plain, traced] = await Promise.all([t.submit({ ...body, cache: false }), t.submit({ ...body, coverage: true, cache: false })]);
    assert.deepEqual(facts(traced), facts(plain), 'coverage changed the run');
    for (const x of plain.tests) assert.equal(x.coverage, undefined);
    return traced;
  }

  it('C: the lines each test ran, an untaken branch told apart, output unchanged', async () => {
    const r = await both({ language: 'c', source: C_SOURCE, tests: C_TESTS });
    assert.equal(r.verdict, 'runtime_error', 'the bad input test returns 2');
    assert.deepEqual(
      r.tests.map((x) => x.verdict),
      ['accepted', 'accepted', 'runtime_error'],
    );
    // What -O2 hides: sign's `return -1;` (7) is a constant; sign and abs_diff are inlined into
    // main before the instrumentation, so their entries (3, 10), abs_diff's test (12) and its
    // return (16) ran in both tests yet read as unrun. The branches taken (5; 13 and 14) are told apart.
    assert.deepEqual(coverageOf(r), [
      { 'main.c': [4, 5, 11, 19, 21, 25, 26] },
      { 'main.c': [4, 11, 13, 14, 19, 21, 25, 26] },
      { 'main.c': [19, 21, 22, 23] },
    ]);
  });

  it('C++: the lines each test ran, an untaken branch told apart', async () => {
    const r = await both({
      language: 'cpp',
      source: CPP_SOURCE,
      tests: [
        { id: 'up', stdin: '3\n1 5 2\n', expectedStdout: '5\n' },
        { id: 'negative', stdin: '2\n-4 3\n', expectedStdout: 'negative\n3\n' },
      ],
    });
    assert.equal(r.verdict, 'accepted');
    assert.deepEqual(coverageOf(r), [
      // `long best = 0;` (9), `best = x;` (12) and `return 0;` (18) became SSA values and
      // constants: no code of their own at -O2, never reported. 14 is told apart.
      { 'main.cpp': [4, 6, 7, 8, 10, 11, 13, 17] },
      { 'main.cpp': [4, 6, 7, 8, 10, 11, 13, 14, 17] },
    ]);
  });

  it('a non-zero exit keeps its status and its coverage; exit(139) is no SIGSEGV', async () => {
    const r = await both({
      language: 'cpp',
      source: '#include <cstdio>\n#include <cstdlib>\nint main(int argc, char **argv) {\n  std::puts("partial");\n  if (argc > 1) std::exit(139);\n  return 3;\n}\n',
      tests: [{ id: 'return', expectedStdout: 'partial\n' }, { id: 'exit', args: ['x'], expectedStdout: 'partial\n' }],
    });
    assert.deepEqual(
      r.tests.map((x) => [x.verdict, x.exitCode, x.signal]),
      [
        ['runtime_error', 3, null],
        ['runtime_error', 139, null],
      ],
    );
    assert.deepEqual(coverageOf(r), [{ 'main.cpp': [3, 4, 5] }, { 'main.cpp': [3, 4, 5] }]);
  });

  it('a crash keeps its signal and has no coverage: libgcov writes only on exit()', async () => {
    const r = await both({
      language: 'c',
      source: CRASHES,
      tests: ['segv', 'abort', 'kill', '_exit'].map((id) => ({ id, args: [id] })),
    });
    assert.deepEqual(
      r.tests.map((x) => [x.id, x.verdict, x.exitCode, x.signal, x.stdout, x.stderr, x.coverage]),
      [
        ['segv', 'runtime_error', null, 'SIGSEGV', 'before', '', null],
        ['abort', 'runtime_error', null, 'SIGABRT', 'before', '', null],
        ['kill', 'runtime_error', null, 'SIGKILL', 'before', '', null],
        ['_exit', 'runtime_error', 3, null, 'before', '', null],
      ],
    );
  });

  it('test code: only the candidate\'s lines, not the test\'s main nor the harness; a failed assert of the test is a wrong_answer and keeps SIGABRT', async () => {
    const r = await both({ language: 'cpp', source: HE_SOURCE, testCode: HE_TEST });
    assert.equal(r.verdict, 'accepted');
    assert.equal(r.tests[0]!.harnessCompleted, true);
    // Not 8 (`return true;`) nor 11 (`int c=0;`): constants at -O2. Not 4 and 5 either, though
    // they ran: is_prime is inlined into the test's main before the instrumentation.
    assert.deepEqual(r.tests[0]!.coverage, { 'main.cpp': [6, 7, 10, 12, 13, 14] });

    const failed = await both({ language: 'cpp', source: HE_SOURCE, testCode: HE_TEST.replace('== 2', '== 3') });
    assert.deepEqual(
      [failed.verdict, failed.tests[0]!.signal, failed.tests[0]!.harnessCompleted, failed.tests[0]!.coverage],
      ['wrong_answer', 'SIGABRT', false, null],
    );
    assert.match(failed.tests[0]!.stderr, /Assertion `count_primes\(\{2, 4, 5\}\) == 3' failed/);
  });

  it('files: each source and header by its path; one base name twice is unknown, not wrong', async () => {
    const r = await both({
      language: 'c',
      files: [
        { path: 'main.c', content: '#include <stdio.h>\n#include "lib/util.h"\nint twice(int);\nint main(void) {\n  printf("%d %d\\n", twice(2), sq(3));\n  return 0;\n}\n' },
        { path: 'lib/util.h', content: 'static inline int sq(int x) {\n  return x * x;\n}\n' },
        { path: 'lib/twice.c', content: '#include "util.h"\nint twice(int x) {\n  if (x > 100)\n    return sq(x);\n  return x + x;\n}\n' },
      ],
      tests: [{ expectedStdout: '4 9\n' }],
    });
    assert.equal(r.verdict, 'accepted');
    // sq ran, but only inlined: its lines read as unrun (see above).
    assert.deepEqual(r.tests[0]!.coverage, { 'main.c': [4, 5], 'lib/util.h': [], 'lib/twice.c': [2, 3, 5] });

    // -o main a/x.c b/x.c: both write main-x.gcno and main-x.gcda; libgcov's complaint is kept off stderr.
    const clash = await both({
      language: 'c',
      files: [
        { path: 'main.c', content: '#include <stdio.h>\nint f(void);\nint g(void);\nint main(void) {\n  printf("%d\\n", f() + g());\n  return 0;\n}\n' },
        { path: 'a/x.c', content: 'int f(void) {\n  return 1;\n}\n' },
        { path: 'b/x.c', content: 'int g(void) {\n  return 2;\n}\n' },
      ],
      tests: [{ expectedStdout: '3\n' }],
    });
    assert.deepEqual([clash.verdict, clash.tests[0]!.stderr, clash.tests[0]!.coverage], ['accepted', '', null]);
  });

  it('the program sees no marker, keeps its stdin, and outlives a signal to its process group', async () => {
    const r = await both({
      language: 'c',
      source:
        '#include <signal.h>\n#include <stdio.h>\n#include <stdlib.h>\nstatic void on(int s) { (void)s; }\nint main(void) {\n  signal(SIGTERM, on);\n  kill(0, SIGTERM);\n  char line[64];\n  while (fgets(line, sizeof line, stdin)) fputs(line, stdout);\n  printf("marker %s", getenv("VERDICT_COVERAGE_MARKER") ? "seen" : "unseen");\n  return 0;\n}\n',
      tests: [{ stdin: 'a\nb\n', expectedStdout: 'a\nb\nmarker unseen' }],
    });
    assert.equal(r.verdict, 'accepted', JSON.stringify(r.tests[0]));
    // 4: the handler ran (the program got its own SIGTERM); 11 (`return 0;`) is a constant.
    assert.deepEqual(r.tests[0]!.coverage, { 'main.c': [4, 5, 6, 7, 9, 10] });
  });

  it('known limit: an _exit() status above 128 reads as the signal 128 below it', async () => {
    // The shell gives a signal N as status 128+N; only an exit() (which writes .gcda files) tells them apart.
    const r = await t.submit({ language: 'c', source: CRASHES, tests: [{ args: ['_exit139'] }], coverage: true, cache: false });
    assert.deepEqual([r.tests[0]!.exitCode, r.tests[0]!.signal, r.tests[0]!.coverage], [null, 'SIGSEGV', null]);
  });
});

describe('gcovLines and the wrapper', () => {
  it('reads gcov JSON documents: executed lines per relative file, headers merged, harness and system files left out', () => {
    const doc = (files: unknown[]) => ({ format_version: '1', gcc_version: '12.2.0', files });
    const line = (n: number, count: number) => ({ branches: [], count, line_number: n, unexecuted_block: count === 0, function_name: 'f' });
    assert.deepEqual(
      gcovLines([
        doc([
          { file: 'main.c', lines: [line(3, 2), line(4, 0), line(5, 1), line(5, 0)], functions: [] },
          { file: './lib/../util.h', lines: [line(2, 1)], functions: [] },
        ]),
        doc([
          { file: 'util.h', lines: [line(1, 4), line(2, 0)], functions: [] },
          { file: 'verdict_harness.c', lines: [line(9, 1)], functions: [] },
          { file: '/usr/include/stdio.h', lines: [line(9, 1)], functions: [] },
        ]),
      ]),
      { 'main.c': [3, 5], 'util.h': [1, 2] },
    );
    assert.deepEqual(gcovLines(doc([])), {});
    assert.equal(gcovLines({ coverage: {} }), undefined);
    assert.equal(gcovLines([doc([{ file: 'main.c' }])]), undefined);
  });
});
