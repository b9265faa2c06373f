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

/**
 * Reads its own binary and every file beside it for the harness's marker ("verdict-harness-done-"
 * and a UUID), prints it as the harness would and leaves before the test code runs. The prefix is
 * put together at run time, so the search does not find its own string.
 */
const markerScan = `#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
static char verdict_buf[1 << 24];
static void scan(const char *path, const char *prefix) {
  FILE *f = fopen(path, "rb");
  if (!f) return;
  size_t n = fread(verdict_buf, 1, sizeof verdict_buf, f);
  fclose(f);
  size_t p = strlen(prefix);
  for (size_t i = 0; i + p + 36 <= n; i++) {
    if (memcmp(verdict_buf + i, prefix, p) != 0) continue;
    int uuid = 1;
    for (size_t j = 0; j < 36; j++) uuid &= strchr("0123456789abcdef-", verdict_buf[i + p + j]) != NULL && verdict_buf[i + p + j] != 0;
    if (!uuid) continue;
    char out[80];
    out[0] = '\\n';
    memcpy(out + 1, verdict_buf + i, p + 36);
    out[p + 37] = '\\n';
    ssize_t w = write(1, out, p + 38);
    (void)w;
    _exit(0);
  }
}
__attribute__((constructor)) static void early(void) {
  char prefix[32];
  snprintf(prefix, sizeof prefix, "%s-%s-%s-", "verdict", "harness", "done");
  scan("/proc/self/exe", prefix);
  DIR *d = opendir(".");
  for (struct dirent *e; d && (e = readdir(d));) scan(e->d_name, prefix);
}
`;

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
  {
    name: "the marker read out of the program's own binary and the files beside it",
    language: 'c',
    source: `${markerScan}${wrong}`,
    right: cRight,
    testCode: cAddTest,
    expect: ['wrong_answer', 'runtime_error'],
    why: 'with no marker to find, the scan falls through to the test code (wrong_answer); were one found and printed, the run would still not have been the test code finishing',
  },
  {
    name: "the marker read out of the program's own binary, in C++",
    language: 'cpp',
    source: `${markerScan}${wrong}`,
    right: cppRight,
    testCode: cAddTest,
    expect: ['wrong_answer', 'runtime_error'],
    why: 'with no marker to find, the scan falls through to the test code (wrong_answer)',
  },
  {
    name: "libc's exit reached through dlsym from a constructor, before the test code's main",
    language: 'c',
    source: `#include <dlfcn.h>\n${wrong}__attribute__((constructor)) static void early(void) { ((void (*)(int))dlsym(RTLD_DEFAULT, "exit"))(0); }\n`,
    right: cRight,
    testCode: cAddTest,
    expect: 'runtime_error',
  },
  {
    name: 'exit through the linker\'s __real_exit, past any wrapper of exit',
    language: 'c',
    source: `${wrong}void __real_exit(int status);\n__attribute__((constructor)) static void early(void) { __real_exit(0); }\n`,
    right: cRight,
    testCode: cAddTest,
    expect: ['compile_error', 'runtime_error'],
    why: 'no wrapper of exit exists, so __real_exit is undefined (a link error); were it defined, exiting before main still prints nothing',
  },
  {
    name: "a __real_main of the candidate's, standing for the test code's main behind the harness's",
    language: 'c',
    source: `${wrong}int __real_main(int argc, char **argv, char **envp) { (void)argc; (void)argv; (void)envp; return 0; }\n`,
    right: cRight,
    testCode: cAddTest,
    expect: ['compile_error', 'wrong_answer'],
    why: "the linker binds the harness's __real_main to main whatever the candidate defines (wrong_answer), or refuses the name twice",
  },
  {
    name: "the test code's main called from a constructor, its exit status turned to 0",
    language: 'cpp',
    source: `#include <unistd.h>\n${wrong}int main();\n__attribute__((constructor)) static void early() { main(); _exit(0); }\n`,
    right: cppRight,
    testCode: cAddTest,
    expect: ['compile_error', 'wrong_answer', 'runtime_error'],
    why: "C++ forbids calling main (a compile error); where it compiles, the test code's assert fails inside it",
  },
  {
    name: 'a global __assert_fail of the candidate\'s that returns, so a failed check falls through to the next',
    language: 'c',
    source: `#include <assert.h>\n${wrong}void __assert_fail(const char *a, const char *f, unsigned int l, const char *fn) { (void)a; (void)f; (void)l; (void)fn; }\n`,
    right: cRight,
    testCode: bareAddTest,
    expect: 'wrong_answer',
  },
  {
    name: 'a static __assert_fail declared before assert.h, which the test code includes again',
    language: 'c',
    source: `static void __assert_fail(const char *a, const char *f, unsigned int l, const char *fn) { (void)a; (void)f; (void)l; (void)fn; }\n#include <assert.h>\n${wrong}`,
    right: cRight,
    testCode: cAddTest,
    expect: 'wrong_answer',
  },
  {
    name: 'a C++ __assert_fail that returns, defined in the global namespace with C linkage',
    language: 'cpp',
    source: `#include <cassert>\n${wrong}extern "C" void __assert_fail(const char *, const char *, unsigned int, const char *) noexcept {}\n`,
    right: cppRight,
    testCode: cAddTest,
    expect: 'wrong_answer',
  },
];
