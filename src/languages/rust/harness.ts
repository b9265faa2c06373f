import { checkFailedMarker, sourceLines, type HarnessComposer } from '../compose.js';

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
export const rustHarness: HarnessComposer = ({ source, testCode, marker }) => ({
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
