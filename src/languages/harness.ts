/**
 * Test-code harnesses (HumanEval's check(candidate), MBPP's asserts): the
 * service composes the candidate with the test code and a trailer that prints
 * a per-submission completion marker once the test code has finished. A run
 * counts only when the marker arrives, so a program that exits 0 before the
 * tests ran (sys.exit(0), os._exit(0), process.exit(0), exit(0),
 * System.exit(0)) is not accepted. The marker is random per submission: a
 * policy cannot learn it, only read it out of its own program on purpose
 * (see SECURITY.md).
 *
 * A failed check of the test code itself (an assertion in the test code's own
 * lines) makes the trailer print a second line, checkFailedMarker(marker),
 * before the program dies: the judge then answers wrong_answer, as the same bug
 * gets under stdin or call tests. The trailer decides from where the runtime
 * says the failure arose (a traceback, a stack, the panic's or assert's
 * location), never from what the program printed; a crash in the candidate's
 * own lines stays a runtime_error.
 */

import { goTestMainPackage } from './go/index.js';
import { javaEntryFor } from './java/index.js';

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

/** The line the trailer prints when a check of the test code failed; derived, so the cache key's marker splitting covers it. */
export function checkFailedMarker(marker: string): string {
  return `${marker}-check-failed`;
}

/** Lines of the candidate's source as composed before the test code: any later line of that file is the harness's or the test code's. */
function sourceLines(source: string): number {
  let lines = 1;
  for (let at = source.indexOf('\n'); at >= 0; at = source.indexOf('\n', at + 1)) lines++;
  return lines;
}

/**
 * Python: an excepthook installed after the candidate's module code ran and before the test
 * code. An AssertionError whose innermost frame in this file lies after the hook's own line was
 * raised by the test code (or a library it called, as unittest's or numpy.testing's asserts),
 * not by the candidate's functions, which all lie above it.
 */
const pythonComposer: Composer = ({ source, testCode, marker }) => ({
  files: [
    {
      path: 'main.py',
      // Through sys.stdout, after a flush, so the marker follows everything the tests printed.
      content: `${source}\n\n${pythonCheckHook(checkFailedMarker(marker))}\n${testCode}\n\nimport sys as _verdict_sys\n_verdict_sys.stdout.flush()\n_verdict_sys.stdout.write("\\n${marker}\\n")\n_verdict_sys.stdout.flush()\n`,
    },
  ],
});

function pythonCheckHook(failed: string): string {
  return `import sys as _verdict_sys
def _verdict_excepthook(kind, error, tb, _previous=_verdict_sys.excepthook, _here=(_verdict_sys._getframe().f_code.co_filename, _verdict_sys._getframe().f_lineno)):
    line = None
    at = tb
    while at is not None:
        if at.tb_frame.f_code.co_filename == _here[0]:
            line = at.tb_lineno
        at = at.tb_next
    if issubclass(kind, AssertionError) and line is not None and line > _here[1]:
        try:
            _verdict_sys.stdout.flush()
        except BaseException:
            pass
        import os
        os.write(1, b"\\n${failed}\\n")
    _previous(kind, error, tb)
_verdict_sys.excepthook = _verdict_excepthook
`;
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
function cComposer(ext: 'c' | 'cpp'): Composer {
  return ({ source, testCode, marker }) => ({
    files: [
      { path: `main.${ext}`, content: `${source}\n\n${testCode}\n` },
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

/**
 * JavaScript and TypeScript: the marker is written on 'beforeExit', which Node
 * emits only once the event loop is empty — after asynchronous tests too — and
 * never on process.exit() or a crash. A failed console.assert throws in the
 * sandbox, so a failing test never gets that far with exit code 0.
 * Between the candidate's code and the test code, a monitor of uncaught errors
 * learns its own position in the file as run (tsc's output for TypeScript): an
 * AssertionError (node:assert, console.assert, chai) whose innermost frame in
 * this file lies past it was thrown by the test code.
 */
function jsComposer(file: 'main.js' | 'main.ts'): Composer {
  return ({ source, testCode, marker }) => ({
    files: [
      {
        path: file,
        content: `${source}\n\n${jsCheckMonitor(checkFailedMarker(marker))}\n${testCode}\n\nprocess.once('beforeExit', () => {\n  process.stdout.write('\\n${marker}\\n');\n});\n`,
      },
    ],
  });
}

/**
 * The monitor, valid as JavaScript and as TypeScript. Frames are read after the error's message,
 * which may quote values the candidate returned (an assert's diff) and so hold text like a frame.
 */
function jsCheckMonitor(failed: string): string {
  return `;(() => {
  const innermost = (stack, skip, file) => {
    const text = String(stack);
    const from = skip === '' ? 0 : Math.max(0, text.indexOf(skip) + skip.length);
    for (const line of text.slice(from).split('\\n')) {
      const m = /^ +at (?:.* \\()?(\\/[^():]+):(\\d+):\\d+\\)?$/.exec(line);
      if (m && (file === undefined || m[1] === file)) return { file: m[1], line: Number(m[2]) };
    }
    return undefined;
  };
  const here = innermost(new Error().stack, '', undefined);
  process.on('uncaughtExceptionMonitor', (error) => {
    if (!(error instanceof Error) || here === undefined) return;
    const name = String(error.name);
    const at = innermost(error.stack, String(error.message), here.file);
    if ((name === 'AssertionError' || name.startsWith('AssertionError [')) && at !== undefined && at.line > here.line) {
      process.stdout.write('\\n${failed}\\n');
    }
  });
})();`;
}

/**
 * Java: a wrapper class is the entry (the compile driver runs the entry file's
 * main); it calls the program's own main, then prints the marker. System.exit
 * and Runtime.halt end the JVM before that. An AssertionError of the JDK's own
 * class (so its stack is the JVM's) whose innermost frame in the program's file
 * lies past the candidate's lines was thrown by the test code.
 */
const javaComposer: Composer = ({ source, testCode, marker }) => {
  const program = `${source}\n${testCode}\n`;
  const file = javaEntryFor(program);
  const mainClass = file.replace(/\.java$/, '');
  return {
    files: [
      {
        path: 'VerdictHarness.java',
        content: `public final class VerdictHarness {
  public static void main(String[] args) throws Throwable {
    try {
      ${mainClass}.main(args);
    } catch (AssertionError e) {
      if (e.getClass().getClassLoader() == null && inTestCode(e)) {
        System.out.flush();
        System.out.print("\\n${checkFailedMarker(marker)}\\n");
        System.out.flush();
      }
      throw e;
    }
    System.out.flush();
    System.out.print("\\n${marker}\\n");
    System.out.flush();
  }
  private static boolean inTestCode(Throwable e) {
    for (StackTraceElement frame : e.getStackTrace()) {
      if ("${file}".equals(frame.getFileName())) return frame.getLineNumber() > ${sourceLines(source)};
    }
    return false;
  }
}
`,
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
 * A panic hook, set from .init_array before main, wraps the default one: when the
 * first panic of the run is located (assert!, assert_eq!, unwrap(), indexing:
 * the location rustc records) in main.rs past the candidate's lines, the test
 * code's own check failed. Only the first counts: libtest runs on after a failed
 * test, and the run's verdict is its first failure's.
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
    static PANICKED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    extern "C" fn arm() {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let first = !PANICKED.swap(true, std::sync::atomic::Ordering::SeqCst);
            if first && info.location().map_or(false, |at| at.file() == "main.rs" && at.line() > ${sourceLines(source)}) {
                const FAILED: &[u8] = b"\\n${checkFailedMarker(marker)}\\n";
                unsafe { write(1, FAILED.as_ptr(), FAILED.len()) };
            }
            previous(info);
        }));
    }
    #[used]
    #[link_section = ".init_array"]
    static ARM: extern "C" fn() = arm;
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

/**
 * Go test files (a source importing "testing" with Test functions, built with go test -c) are
 * their own test code, so they get no composer; a file beside them in the same package adds a
 * TestMain. Once m.Run returns, every test ran: it prints the marker, and when m.Run's code is 1,
 * a test reported a failure through the testing package (t.Error, t.Fatal, testify's assert and
 * require, an Example's output), which is the check-failed marker. What the candidate causes never
 * returns from m.Run: a panic in a test (tRunner re-panics, exit 2; panic(nil) and runtime.Goexit
 * too), os.Exit or log.Fatal (the process ends there; os.Exit(0) panics under
 * -test.paniconexit0), a deadlock or a limit. An os.Exit(0) before the tests (in an init) skips the
 * marker too. The imports are renamed so no package-level name of the candidate's can clash.
 * Without a package clause, or when the program defines its own TestMain (one per package), the
 * file is not added and the run is judged by its exit status alone.
 */
function goTestMain(pkg: string, marker: string): string {
  return `package ${pkg}

import (
	verdictos "os"
	verdicttesting "testing"
)

func TestMain(m *verdicttesting.M) {
	code := m.Run()
	if code == 1 {
		verdictos.Stdout.WriteString("\\n${checkFailedMarker(marker)}\\n")
	}
	verdictos.Stdout.WriteString("\\n${marker}\\n")
	verdictos.Exit(code)
}
`;
}

/** The file a test file's harness adds, for an entry built as a test binary; undefined when it gets none. */
export function testFileHarness(
  languageId: string,
  entry: string,
  files: ReadonlyArray<{ path: string; content: string }>,
  marker: string,
): { path: string; content: string } | undefined {
  if (languageId !== 'go' || entry !== 'main_test.go') return undefined;
  const path = 'zz_verdict_main_test.go';
  if (files.some((f) => f.path === path)) return undefined;
  const pkg = goTestMainPackage(files.find((f) => f.path === entry)?.content ?? '', files.filter((f) => f.path.endsWith('.go')).map((f) => f.content));
  return pkg === undefined ? undefined : { path, content: goTestMain(pkg, marker) };
}

export function harnessFor(languageId: string): Composer | undefined {
  return composers[languageId];
}

export const harnessLanguages = Object.keys(composers);
