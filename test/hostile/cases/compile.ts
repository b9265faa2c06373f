/** Bombs that go off in the compiler: the compile stage must end within its limits, as compile_error. */
import assert from 'node:assert/strict';
import { compileBomb, roomy, type HostileCase } from './types.js';

const compileFailed: HostileCase['check'] = (r) => {
  assert.notEqual(r.compile?.status, 'ok');
  assert.equal(r.tests[0]?.verdict, 'skipped');
};

/** 2^40 tokens from 41 lines. */
const macroBomb = [
  '#define A0 x',
  ...Array.from({ length: 40 }, (_, i) => `#define A${i + 1} A${i} A${i}`),
  'int main(void) { int x = 0; return A40; }',
].join('\n');

/** Thousands of distinct errors, each with notes. */
const errorFlood = [
  ...Array.from({ length: 3000 }, (_, i) => `int f${i}() { return undefined_${i} + "x" * ${i}; }`),
  'int main() { return 0; }',
].join('\n');

export const cases: HostileCase[] = [
  {
    name: '#include </dev/random> (c)',
    category: 'compile',
    language: 'c',
    source: '#include </dev/random>\nint main(void) { return 0; }\n',
    limits: compileBomb,
    expect: 'compile_error',
    why: 'the preprocessor reads an endless file: it ends on the compile memory or time limit',
    check: compileFailed,
  },
  {
    name: '#include </dev/zero> (cpp)',
    category: 'compile',
    language: 'cpp',
    source: '#include </dev/zero>\nint main() { return 0; }\n',
    limits: compileBomb,
    expect: 'compile_error',
    check: compileFailed,
  },
  {
    name: 'template explosion (cpp): types that double at each of 60 levels',
    category: 'compile',
    language: 'cpp',
    source: [
      '#include <utility>',
      'template <class T, int N> struct Boom { using type = typename Boom<std::pair<T, T>, N - 1>::type; };',
      'template <class T> struct Boom<T, 0> { using type = T; };',
      'int main() { typename Boom<int, 60>::type x{}; (void)x; return 0; }',
    ].join('\n'),
    limits: compileBomb,
    expect: 'compile_error',
    why: 'the compile time limit ends it (compile status time_limit_exceeded), which is a compile_error verdict',
    check: compileFailed,
  },
  {
    name: 'template explosion (cpp): exponentially many distinct instantiations',
    category: 'compile',
    language: 'cpp',
    source: [
      'template <int N, int M> struct F { static constexpr long v = F<N - 1, M>::v + F<N - 1, M + 1>::v + F<N - 2, M * 2 + 1>::v; };',
      'template <int M> struct F<0, M> { static constexpr long v = M; };',
      'template <int M> struct F<-1, M> { static constexpr long v = 1; };',
      'int main() { return (int)F<40, 0>::v; }',
    ].join('\n'),
    limits: compileBomb,
    expect: 'compile_error',
    check: compileFailed,
  },
  {
    name: 'unbounded template recursion (cpp): instantiation depth exceeded',
    category: 'compile',
    language: 'cpp',
    source: 'template <int N> struct R { static const int v = R<N + 1>::v; };\nint main() { return R<0>::v; }\n',
    limits: compileBomb,
    expect: 'compile_error',
    check: (r) => {
      compileFailed(r, { answeredAt: 0 });
      assert.equal(r.compile?.status, 'failed');
      assert.match(r.compile!.output, /instantiation depth/);
    },
  },
  {
    name: 'constexpr infinite loop (cpp)',
    category: 'compile',
    language: 'cpp',
    source: 'constexpr int spin() { for (unsigned i = 0;; i++) {} return 0; }\nstatic_assert(spin() == 0);\nint main() { return 0; }\n',
    limits: compileBomb,
    expect: 'compile_error',
    check: compileFailed,
  },
  {
    name: 'macro explosion (c): 2^40 tokens',
    category: 'compile',
    language: 'c',
    source: macroBomb,
    limits: compileBomb,
    expect: 'compile_error',
    check: compileFailed,
  },
  {
    name: 'huge static array (c): static char a[1UL << 40]',
    category: 'compile',
    language: 'c',
    source: [
      '#include <stdio.h>',
      'static char a[1UL << 40];',
      'int main(void) { volatile char *p = a; p[12345] = 1; printf("%d\\n", p[12345]); return 0; }',
    ].join('\n'),
    tests: [{ expectedStdout: '1\n' }],
    limits: { ...compileBomb, ...roomy },
    expect: 'runtime_error',
    why: 'gcc and ld accept a 1 TiB .bss (nothing lies beyond it to overflow a relocation), so it is no compile error; the kernel cannot map it and kills the program at exec with SIGSEGV',
    check: (r) => {
      assert.equal(r.compile?.status, 'ok');
      assert.equal(r.tests[0]?.signal, 'SIGSEGV');
    },
  },
  {
    name: 'huge static array (cpp): larger than any object may be',
    category: 'compile',
    language: 'cpp',
    source: 'static char a[1UL << 63];\nint main() { volatile char *p = a; return p[5]; }\n',
    limits: compileBomb,
    expect: 'compile_error',
    check: compileFailed,
  },
  {
    name: 'error flood (cpp): thousands of errors, output truncated',
    category: 'compile',
    language: 'cpp',
    source: errorFlood,
    limits: compileBomb,
    expect: 'compile_error',
    check: (r) => {
      compileFailed(r, { answeredAt: 0 });
      assert.equal(r.compile?.outputTruncated, true);
      assert.ok(r.compile!.output.length <= 64 * 1024, `compile output of ${r.compile!.output.length} characters`);
    },
  },
  {
    name: '#include "/etc/passwd" (c)',
    category: 'compile',
    language: 'c',
    source: '#include "/etc/passwd"\nint main(void) { return 0; }\n',
    limits: compileBomb,
    expect: 'compile_error',
    check: compileFailed,
  },
  {
    name: '#include "/etc/shadow" (c): unreadable to the compiler too',
    category: 'compile',
    language: 'c',
    source: '#include "/etc/shadow"\nint main(void) { return 0; }\n',
    limits: compileBomb,
    expect: 'compile_error',
    check: (r) => {
      compileFailed(r, { answeredAt: 0 });
      assert.match(r.compile!.output, /Permission denied/);
    },
  },
  {
    name: 'assembler .incbin "/dev/zero" (c)',
    category: 'compile',
    language: 'c',
    source: '__asm__(".incbin \\"/dev/zero\\"");\nint main(void) { return 0; }\n',
    limits: compileBomb,
    expect: 'compile_error',
    check: compileFailed,
  },
  {
    name: 'assembler .fill of 2 GiB (c): the object file hits the file size limit',
    category: 'compile',
    language: 'c',
    source: '__asm__(".section .data\\n.fill 0x7fffffff, 1, 0\\n.text");\nint main(void) { return 0; }\n',
    limits: compileBomb,
    expect: 'compile_error',
    check: compileFailed,
  },
  {
    name: 'deeply nested parentheses (python): the syntax check fails, it does not crash',
    category: 'compile',
    language: 'python',
    source: `x = ${'('.repeat(100_000)}1${')'.repeat(100_000)}\nprint(x)\n`,
    limits: { ...compileBomb, ...roomy },
    expect: 'compile_error',
    check: (r) => {
      assert.equal(r.compile?.status, 'failed');
      assert.match(r.compile!.output, /SyntaxError|RecursionError|MemoryError/);
    },
  },
];
