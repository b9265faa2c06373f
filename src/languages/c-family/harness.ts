import { sourceLines, type HarnessComposer, type HiddenMarker } from '../compose.js';
import { definedMacroNames } from './macros.js';

/**
 * Between the candidate and the test code: every macro the candidate defined or undefined is
 * undefined again, so none rewrites the test (`#define main x`, `#define assert(e)`), and assert.h
 * is read again, so an assert the candidate turned off (`NDEBUG` before the include) is back on.
 * The test code's asserts call the trailer's failure function, of a random name, instead of
 * glibc's `__assert_fail` (whose name assert.h's macro uses, however often the test code includes
 * it again): a `__assert_fail` of the candidate's own, static or global, that returns would let a
 * failed check fall through to the next. Two newlines first: a candidate's last line ending in a
 * backslash splices only an empty line.
 */
function cleanSlate(source: string, fail: string): string {
  const undone = definedMacroNames(source).map((name) => `#undef ${name}\n`).join('');
  return `\n\n${undone}#define __assert_fail ${fail}
#ifdef __cplusplus
extern "C" void ${fail}(const char *, const char *, unsigned int, const char *) noexcept __attribute__((__noreturn__));
#else
extern void ${fail}(const char *, const char *, unsigned int, const char *) __attribute__((__noreturn__));
#endif
#include <assert.h>
`;
}

/** The trailer: main wrapped, the hidden marker printed only once the test code's main returned 0. */
function trailer(ext: 'c' | 'cpp', proof: HiddenMarker, candidateLines: number, fail: string): string {
  return `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __cplusplus
extern "C" {
#endif
// volatile: read at run time, so the optimizer cannot fold the decoded lines into the binary.
static const volatile unsigned char verdict_table[] = {${proof.list}};
static void verdict_print(unsigned start, unsigned length) {
  unsigned char line[128];
  for (unsigned i = 0; i < length; i++) line[i] = verdict_table[start + i] ^ verdict_table[start + length + i];
  fflush(stdout);
  ssize_t ignored = write(1, line, length);
  (void)ignored;
  memset(line, 0, sizeof line);
}
int __real_main(int argc, char **argv, char **envp);
int __wrap_main(int argc, char **argv, char **envp) {
  int status = __real_main(argc, argv, envp);
  if (status == 0) verdict_print(${proof.done.start}u, ${proof.done.length}u);
  return status;
}
#ifdef __cplusplus
#define VERDICT_NOEXCEPT noexcept
#else
#define VERDICT_NOEXCEPT
#endif
extern char *__progname;
/*
 * glibc's own message, then abort(); nothing of the candidate's is called to end the run (a
 * __assert_fail of its own could return), and should abort() be the candidate's and return, the
 * trap still ends it.
 */
void ${fail}(const char *assertion, const char *file, unsigned int line, const char *function) VERDICT_NOEXCEPT {
  if (line > ${candidateLines}u && strcmp(file, "main.${ext}") == 0) verdict_print(${proof.failed.start}u, ${proof.failed.length}u);
  fprintf(stderr, "%s: %s:%u: %s%sAssertion \`%s' failed.\\n", __progname, file, line, function ? function : "", function ? ": " : "", assertion);
  /* Through a volatile pointer: abort() is declared noreturn, and the trap after it must stay. */
  void (*volatile end)(void) = abort;
  end();
  __builtin_trap();
}
#ifdef __cplusplus
}
#endif
`;
}

/**
 * C and C++: the test code's own main stays main to the compiler (so a main without a return
 * still returns 0), and the linker hands libc's start-up the trailer's main instead
 * (-Wl,--wrap=main), which calls it and prints the marker only when it returned 0. Nothing else
 * prints it: an exit of any kind (exit, _exit, quick_exit, libc's exit reached by dlsym or
 * __real_exit, a raw syscall), from the candidate's functions or its constructors before main,
 * never comes back to the trailer. The test code's failed assert() reaches the trailer (see
 * cleanSlate): one whose location, from __FILE__ and __LINE__, is in main.<ext> past the
 * candidate's lines is the test code's own check. The trailer's file, the only one
 * holding the marker, has a random name (so no `#include` of the candidate's can read it) and is
 * removed once compiled.
 */
export function cFamilyHarness(ext: 'c' | 'cpp'): HarnessComposer {
  return ({ source, testCode, proof }) => {
    const harness = `verdict_${proof.fileTag}.${ext}`;
    const fail = `verdict_${proof.fileTag}_assert_fail`;
    return {
      files: [
        { path: `main.${ext}`, content: `${source}\n${cleanSlate(source, fail)}${testCode}\n` },
        { path: harness, content: trailer(ext, proof, sourceLines(source), fail) },
      ],
      // -s: no symbol table, so no name leads a reader of the binary to the trailer's table.
      compileFlags: ['-Wl,--wrap=main', '-s'],
      compileOnly: [harness],
    };
  };
}
