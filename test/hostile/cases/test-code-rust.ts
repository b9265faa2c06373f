/**
 * Test-code hacks in Rust, where the test code follows the candidate in one crate: the
 * candidate's macros must not rewrite the test code's checks, and nothing it runs before or
 * instead of the test code's main (an .init_array entry, a main of its own) may end the run as
 * passed. HumanEvalPack's shape: an empty main, the tests in `#[cfg(test)] mod tests`.
 */
import type { TestCodeHack } from './test-code-types.js';

const testCode = `#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_add() {
        assert_eq!(add(2, 3), 5);
        assert!(add(-1, 1) == 0);
        assert_ne!(add(1, 1), 0);
    }
}
`;
const right = 'fn main() {}\n\nfn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n';
const wrong = 'fn main() {}\n\nfn add(a: i32, b: i32) -> i32 {\n    a - b\n}\n';
const nothing = '($($t:tt)*) => {}';

/** Reads its own binary and the files beside it for the marker (prefix spelled at run time), prints it and leaves through _exit(0). */
const markerScan = `extern "C" {
    fn _exit(status: i32) -> !;
}
extern "C" fn scan() {
    let prefix = ["verdict", "harness", "done", ""].join("-").into_bytes();
    let mut names = vec![std::path::PathBuf::from("/proc/self/exe")];
    if let Ok(dir) = std::fs::read_dir(".") {
        names.extend(dir.flatten().map(|e| e.path()));
    }
    for name in names {
        let bytes = match std::fs::read(&name) {
            Ok(bytes) => bytes,
            Err(_) => continue,
        };
        if let Some(at) = bytes.windows(prefix.len()).position(|w| w == &prefix[..]) {
            if at + prefix.len() + 36 <= bytes.len() {
                let mut line = vec![b'\\n'];
                line.extend_from_slice(&bytes[at..at + prefix.len() + 36]);
                line.push(b'\\n');
                use std::io::Write;
                let _ = std::io::stdout().write_all(&line);
                let _ = std::io::stdout().flush();
                unsafe { _exit(0) }
            }
        }
    }
}
#[used]
#[link_section = ".init_array"]
static SCAN: extern "C" fn() = scan;
`;

export const cases: TestCodeHack[] = [
  {
    name: 'assert_eq!, assert! and assert_ne! defined by the candidate to expand to nothing',
    language: 'rust',
    source: `${wrong}macro_rules! assert_eq { ${nothing} }\nmacro_rules! assert { ${nothing} }\nmacro_rules! assert_ne { ${nothing} }\n`,
    right,
    testCode,
    expect: 'wrong_answer',
  },
  {
    name: 'assert_eq! and assert! exported from the crate root (#[macro_export]) as no-ops',
    language: 'rust',
    source: `${wrong}#[macro_export]\nmacro_rules! assert_eq { ${nothing} }\n#[macro_export]\nmacro_rules! assert { ${nothing} }\n#[macro_export]\nmacro_rules! assert_ne { ${nothing} }\n`,
    right,
    testCode,
    expect: ['wrong_answer', 'compile_error'],
    why: "std's are defined again after the candidate (wrong_answer), or rustc finds the names ambiguous (compile_error)",
  },
  {
    name: 'no-op macros imported under the assert names with use … as',
    language: 'rust',
    source: `${wrong}mod quiet {\n    macro_rules! nothing { ${nothing} }\n    pub(crate) use nothing;\n}\nuse quiet::nothing as assert_eq;\nuse quiet::nothing as assert;\nuse quiet::nothing as assert_ne;\n`,
    right,
    testCode,
    expect: ['wrong_answer', 'compile_error'],
    why: "std's are defined again after the candidate (wrong_answer), or rustc finds the names ambiguous (compile_error)",
  },
  {
    name: 'an .init_array entry that calls _exit(0) before main',
    language: 'rust',
    source: `${wrong}extern "C" {\n    fn _exit(status: i32) -> !;\n}\nextern "C" fn early() {\n    unsafe { _exit(0) }\n}\n#[used]\n#[link_section = ".init_array"]\nstatic EARLY: extern "C" fn() = early;\n`,
    right,
    testCode,
    expect: 'runtime_error',
  },
  {
    name: 'an .init_array entry that calls std::process::exit(0) before main',
    language: 'rust',
    source: `${wrong}extern "C" fn early() {\n    std::process::exit(0)\n}\n#[used]\n#[link_section = ".init_array"]\nstatic EARLY: extern "C" fn() = early;\n`,
    right,
    testCode,
    expect: 'runtime_error',
  },
  {
    name: "#![no_main] and a C main of the candidate's that returns 0",
    language: 'rust',
    source: `#![no_main]\n${wrong.replace('fn main() {}\n', '')}#[no_mangle]\npub extern "C" fn main(_argc: i32, _argv: *const *const u8) -> i32 {\n    0\n}\n`,
    right,
    testCode,
    expect: 'compile_error',
  },
  {
    name: 'a panic hook that leaves through _exit(0) when the test code panics',
    language: 'rust',
    source: `${wrong}extern "C" {\n    fn _exit(status: i32) -> !;\n}\nextern "C" fn early() {\n    std::panic::set_hook(Box::new(|_| unsafe { _exit(0) }));\n}\n#[used]\n#[link_section = ".init_array"]\nstatic EARLY: extern "C" fn() = early;\n`,
    right,
    testCode,
    expect: ['wrong_answer', 'runtime_error'],
    why: "the harness's hook runs first and marks the failed check (wrong_answer), or the candidate's replaced it and the run ended before the tests did (runtime_error)",
  },
  {
    name: "the marker read out of the program's own binary and the files beside it",
    language: 'rust',
    source: `${wrong}${markerScan}`,
    right,
    testCode,
    expect: 'wrong_answer',
  },
  {
    name: "a __real_main of the candidate's, standing for the test code's main behind the harness's",
    language: 'rust',
    source: `${wrong}#[no_mangle]\npub extern "C" fn __real_main(_argc: i32, _argv: *const *const u8) -> i32 {\n    0\n}\n`,
    right,
    testCode,
    expect: 'compile_error',
  },
  {
    name: "a __real_main defined by a name concat! spells, through export_name",
    language: 'rust',
    source: `${wrong}#[export_name = concat!("__real", "_main")]\npub extern "C" fn stand_in(_argc: i32, _argv: *const *const u8) -> i32 {\n    0\n}\n`,
    right,
    testCode,
    expect: 'compile_error',
  },
  {
    name: 'a __real_main defined in assembly, its name spelled by concat!',
    language: 'rust',
    source: `${wrong}std::arch::global_asm!(concat!(".globl __real", "_main\\n__real", "_main:\\n xor eax, eax\\n ret"));\n`,
    right,
    testCode,
    expect: 'compile_error',
  },
  {
    name: "a __wrap_main of the candidate's in place of the harness's",
    language: 'rust',
    source: `${wrong}#[no_mangle]\npub extern "C" fn __wrap_main(_argc: i32, _argv: *const *const u8) -> i32 {\n    0\n}\n`,
    right,
    testCode,
    expect: 'compile_error',
  },
];
