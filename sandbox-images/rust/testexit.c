/*
 * Linked into test-harness builds (rustc --test). libtest never calls exit(0): it returns from main
 * when every test passed and calls exit(101) when one failed. So exit(0) can only come from the
 * program itself (std::process::exit(0) inside a test), ending the run before the other tests ran
 * while looking like success: it fails instead, as os.Exit(0) does under go test -test.paniconexit0.
 * Weak, so that a test harness with its own exit() takes precedence.
 */
#include <unistd.h>

__attribute__((weak, noreturn)) void exit(int status) {
  if (status == 0) {
    static const char message[] = "exit(0) called before the tests finished\n";
    ssize_t ignored = write(2, message, sizeof message - 1);
    (void)ignored;
    _exit(1);
  }
  /* std::process::exit has flushed Rust's own buffers already; nothing else needs atexit. */
  _exit(status);
}
