/**
 * Test-code harnesses (HumanEval's check(candidate), MBPP's asserts): the
 * service composes the candidate with the test code and a trailer that prints
 * a per-submission completion marker once the test code has finished. A run
 * counts only when the marker arrives, so a program that exits 0 before the
 * tests ran (sys.exit(0), os._exit(0), process.exit(0), exit(0),
 * System.exit(0)) is not accepted. The marker is random per submission: a
 * policy cannot learn it, only read it out of its own program on purpose
 * (see SECURITY.md).
 */

import { javaEntryFor } from './java.js';

export interface HarnessInput {
  source: string;
  testCode: string;
  marker: string;
}

export interface ComposedProgram {
  /** Files of the program; the first is the entry. */
  files: Array<{ path: string; content: string }>;
  /** Extra compiler arguments the harness needs (placed before the sources). */
  compileFlags?: string[];
}

type Composer = (input: HarnessInput) => ComposedProgram;

const pythonComposer: Composer = ({ source, testCode, marker }) => ({
  files: [
    {
      path: 'main.py',
      // Through sys.stdout, after a flush, so the marker follows everything the tests printed.
      content: `${source}\n\n${testCode}\n\nimport sys as _verdict_sys\n_verdict_sys.stdout.flush()\n_verdict_sys.stdout.write("\\n${marker}\\n")\n_verdict_sys.stdout.flush()\n`,
    },
  ],
});

/**
 * C and C++: the test code's own main stays main. Explicit exit() calls are
 * wrapped at link time (-Wl,--wrap=exit) and mark the run as ended early; a
 * normal return from main reaches libc's own exit, whose atexit handler prints
 * the marker. _exit, quick_exit and raw exit syscalls skip atexit altogether.
 */
function cComposer(ext: 'c' | 'cpp'): Composer {
  return ({ source, testCode, marker }) => ({
    files: [
      { path: `main.${ext}`, content: `${source}\n\n${testCode}\n` },
      {
        path: `verdict_harness.${ext}`,
        content: `#include <stdio.h>
#include <stdlib.h>
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
#ifdef __cplusplus
}
#endif
`,
      },
    ],
    compileFlags: ['-Wl,--wrap=exit'],
  });
}

/**
 * JavaScript and TypeScript: the marker is written on 'beforeExit', which Node
 * emits only once the event loop is empty — after asynchronous tests too — and
 * never on process.exit() or a crash. A failed console.assert throws in the
 * sandbox, so a failing test never gets that far with exit code 0.
 */
function jsComposer(file: 'main.js' | 'main.ts'): Composer {
  return ({ source, testCode, marker }) => ({
    files: [
      {
        path: file,
        content: `${source}\n\n${testCode}\n\nprocess.once('beforeExit', () => {\n  process.stdout.write('\\n${marker}\\n');\n});\n`,
      },
    ],
  });
}

/**
 * Java: a wrapper class is the entry (the compile driver runs the entry file's
 * main); it calls the program's own main, then prints the marker. System.exit
 * and Runtime.halt end the JVM before that.
 */
const javaComposer: Composer = ({ source, testCode, marker }) => {
  const program = `${source}\n${testCode}\n`;
  const file = javaEntryFor(program);
  const mainClass = file.replace(/\.java$/, '');
  return {
    files: [
      {
        path: 'VerdictHarness.java',
        content: `public final class VerdictHarness {\n  public static void main(String[] args) throws Throwable {\n    ${mainClass}.main(args);\n    System.out.flush();\n    System.out.print("\\n${marker}\\n");\n    System.out.flush();\n  }\n}\n`,
      },
      { path: file, content: program },
    ],
  };
};

/**
 * Rust: the test code's #[test]s (built with --test) or its own main run as they
 * would alone. The trailer defines exit(): every exit() call (std::process::exit,
 * libtest's own after a failing test) ends the process through _exit and skips
 * .fini_array; only a normal return from main reaches libc's exit, which runs the
 * .fini_array entry that prints the marker. _exit and raw exit syscalls skip it too.
 */
const rustComposer: Composer = ({ source, testCode, marker }) => ({
  files: [
    {
      path: 'main.rs',
      content: `${source}\n\n${testCode}\n
#[doc(hidden)]
#[allow(dead_code)]
mod verdict_harness {
    extern "C" {
        fn _exit(status: i32) -> !;
        fn write(fd: i32, buf: *const u8, count: usize) -> isize;
    }
    #[no_mangle]
    pub extern "C" fn exit(status: i32) -> ! {
        unsafe { _exit(status) }
    }
    extern "C" fn done() {
        const MARKER: &[u8] = b"\\n${marker}\\n";
        unsafe { write(1, MARKER.as_ptr(), MARKER.len()) };
    }
    #[used]
    #[link_section = ".fini_array"]
    static DONE: extern "C" fn() = done;
}
`,
    },
  ],
});

const composers: Record<string, Composer> = {
  python: pythonComposer,
  rust: rustComposer,
  java: javaComposer,
  javascript: jsComposer('main.js'),
  typescript: jsComposer('main.ts'),
  c: cComposer('c'),
  cpp: cComposer('cpp'),
};

export function harnessFor(languageId: string): Composer | undefined {
  return composers[languageId];
}

export const harnessLanguages = Object.keys(composers);
