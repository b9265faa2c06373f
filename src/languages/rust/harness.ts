import { sourceLines, type HarnessComposer, type HiddenMarker } from '../compose.js';

/**
 * The standard macros test code asserts with, defined again between the candidate and the test
 * code, each passing its tokens to std's own: a macro_rules! is looked up in textual scope before
 * any path, so a candidate's `macro_rules! assert_eq { ($($t:tt)*) => {} }` (or one imported
 * with `use … as assert`) would otherwise expand the test code's checks to nothing. A later
 * definition shadows an earlier one, and this one reaches the test code and its inline modules.
 */
const STD_MACROS = [
  'assert',
  'assert_eq',
  'assert_ne',
  'debug_assert',
  'debug_assert_eq',
  'debug_assert_ne',
  'panic',
  'unreachable',
  'todo',
  'unimplemented',
  'matches',
  'vec',
  'format',
  'print',
  'println',
  'eprint',
  'eprintln',
  'write',
  'writeln',
] as const;

const stdMacros = STD_MACROS.map((name) => `#[allow(unused_macros)]\nmacro_rules! ${name} { ($($t:tt)*) => { ::std::${name}!($($t)*) } }\n`).join('');

/**
 * What a program judged by test code may not name, anywhere in its text: each is a way to stand in
 * for the test code's main. `no_main` makes that main a plain function and lets a C `main` of the
 * candidate's start the program; a `__real_main` of its own, defined in the same object as the
 * trailer's call (the linker's --wrap rewrites references between objects only), would be
 * called in the test code's place, and so would one defined by name through `export_name`, or in
 * assembly (`asm!`, `global_asm!`, whose templates `concat!` can spell). A program that mentions
 * one (in a comment too: the check is a word search, one linear pass) is a compile error.
 */
const REFUSED_WORDS = ['no_main', '__real_main', '__wrap_main', 'export_name', 'global_asm', 'asm'] as const;
const REFUSED = new RegExp(`\\b(?:${REFUSED_WORDS.join('|')})\\b`);

function refusal(source: string): string {
  const found = REFUSED.exec(source);
  if (found === null) return '';
  return `compile_error!("a program judged by testCode may not use \`${found[0]}\`: it could stand in for the test code's main");\n`;
}

/** The trailer's module: main wrapped, the hidden marker printed only once the program's main returned 0. */
function trailer(proof: HiddenMarker, candidateLines: number): string {
  return `extern "C" {
    fn __real_main(argc: i32, argv: *const *const u8) -> i32;
    fn write(fd: i32, buf: *const u8, count: usize) -> isize;
}
static TABLE: [u8; ${proof.list.split(',').length}] = [${proof.list}];
// Read volatile: the optimizer would otherwise fold the decoded lines into the binary as text.
fn byte(i: usize) -> u8 {
    unsafe { std::ptr::read_volatile(&TABLE[i]) }
}
fn print(start: usize, length: usize) {
    let mut line = [0u8; 128];
    for i in 0..length {
        line[i] = byte(start + i) ^ byte(start + length + i);
    }
    unsafe { write(1, line.as_ptr(), length) };
}
#[no_mangle]
pub extern "C" fn __wrap_main(argc: i32, argv: *const *const u8) -> i32 {
    let status = unsafe { __real_main(argc, argv) };
    if status == 0 {
        print(${proof.done.start}, ${proof.done.length});
    }
    status
}
static PANICKED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
extern "C" fn arm() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let first = !PANICKED.swap(true, std::sync::atomic::Ordering::SeqCst);
        if first && info.location().map_or(false, |at| at.file() == "main.rs" && at.line() > ${candidateLines}) {
            print(${proof.failed.start}, ${proof.failed.length});
        }
        previous(info);
    }));
}
#[used]
#[link_section = ".init_array"]
static ARM: extern "C" fn() = arm;
`;
}

/**
 * Rust: the test code's #[test]s (built with --test) or its own main run as they would alone.
 * The linker hands libc's start-up the trailer's main instead of rustc's (-Wl,--wrap=main), which
 * calls it and prints the marker only when it returned 0: libtest returns from main when every
 * test passed and exits when one failed, a main returns once it ran to its end, and no exit of any
 * kind (std::process::exit, libc's, _exit, a raw syscall, from a test or from an .init_array entry
 * of the candidate's before main) comes back to the trailer. A panic hook, set from .init_array
 * before main, wraps the default one: when the first panic of the run is located (assert!,
 * assert_eq!, unwrap(), indexing: the location rustc records) in main.rs past the candidate's
 * lines, the test code's own check failed. Only the first counts: libtest runs on after a failed
 * test, and the run's verdict is its first failure's. The trailer is its own module's file, of a
 * random name (no include_bytes! of the candidate's can read it), removed once compiled.
 */
export const rustHarness: HarnessComposer = ({ source, testCode, proof }) => {
  const harness = `verdict_${proof.fileTag}.rs`;
  return {
    files: [
      {
        path: 'main.rs',
        content: `${source}\n\n${refusal(source)}${stdMacros}${testCode}\n\n#[doc(hidden)]\n#[allow(dead_code)]\n#[path = "${harness}"]\nmod verdict_harness;\n`,
      },
      { path: harness, content: trailer(proof, sourceLines(source)) },
    ],
    // No symbol table: no name leads a reader of the binary to the table.
    compileFlags: ['-C', 'link-arg=-Wl,--wrap=main', '-C', 'strip=symbols'],
    compileOnly: [harness],
  };
};
