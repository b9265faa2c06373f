/*
 * Linked into every program. Rust's std seeds each HashMap and HashSet from getrandom(), which it
 * looks up by name so that it can be interposed: fixed bytes make their iteration order the same on
 * every run, as PYTHONHASHSEED=0 does for Python, so a verdict cannot depend on the seed. The rand
 * crate reads the kernel directly and stays random.
 */
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

ssize_t getrandom(void *buf, size_t len, unsigned int flags) {
  (void)flags;
  uint64_t x = 0x9E3779B97F4A7C15u;
  unsigned char *out = buf;
  for (size_t i = 0; i < len; i++) {
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    out[i] = (unsigned char)((x * 0x2545F4914F6CDD1Du) >> 56);
  }
  return (ssize_t)len;
}
