import { checkFailedMarker, sourceLines, type HarnessComposer } from '../compose.js';
import { definedMacroNames } from './macros.js';

/**
 * Between the candidate and the test code: every macro the candidate defined or undefined is
 * undefined again, so none rewrites the test (`#define main x`, `#define assert(e)`), and assert.h
 * is read again, so an assert the candidate turned off (`NDEBUG` before the include) is back on.
 * Two newlines first: a candidate's last line ending in a backslash splices only an empty line.
 */
function cleanSlate(source: string): string {
  const names = definedMacroNames(source);
  if (names.length === 0) return '\n';
  return `\n\n${names.map((name) => `#undef ${name}\n`).join('')}#include <assert.h>\n`;
}

/**
 * C and C++: the test code's own main stays main. Explicit exit() calls are
 * wrapped at link time (-Wl,--wrap=exit) and mark the run as ended early; a
 * normal return from main reaches libc's own exit, whose atexit handler prints
 * the marker. _exit, quick_exit and raw exit syscalls skip atexit altogether.
 * assert() is wrapped too (-Wl,--wrap=__assert_fail, which C's and C++'s assert
 * both call): one whose location, from __FILE__ and __LINE__, is in main.<ext>
 * past the candidate's lines is the test code's own check.
 */
export function cFamilyHarness(ext: 'c' | 'cpp'): HarnessComposer {
  return ({ source, testCode, marker }) => ({
    files: [
      { path: `main.${ext}`, content: `${source}\n${cleanSlate(source)}${testCode}\n` },
      {
        path: `verdict_harness.${ext}`,
        content: `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __cplusplus
extern "C" {
#endif
void __real_exit(int status);
static int verdict_exited_early;
void __wrap_exit(int status) {
  verdict_exited_early = 1;
  __real_exit(status);
}
static void verdict_report(void) {
  if (verdict_exited_early) return;
  fflush(stdout);
  static const char marker[] = "\\n${marker}\\n";
  ssize_t ignored = write(1, marker, sizeof marker - 1);
  (void)ignored;
}
__attribute__((constructor)) static void verdict_arm(void) { atexit(verdict_report); }
__attribute__((noreturn)) void __real___assert_fail(const char *assertion, const char *file, unsigned int line, const char *function);
__attribute__((noreturn)) void __wrap___assert_fail(const char *assertion, const char *file, unsigned int line, const char *function) {
  if (line > ${sourceLines(source)}u && strcmp(file, "main.${ext}") == 0) {
    fflush(stdout);
    static const char failed[] = "\\n${checkFailedMarker(marker)}\\n";
    ssize_t ignored = write(1, failed, sizeof failed - 1);
    (void)ignored;
  }
  __real___assert_fail(assertion, file, line, function);
}
#ifdef __cplusplus
}
#endif
`,
      },
    ],
    compileFlags: ['-Wl,--wrap=exit', '-Wl,--wrap=__assert_fail'],
  });
}
