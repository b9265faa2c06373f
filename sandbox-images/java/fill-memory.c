/*
 * Run by the JVM when the program's heap is exhausted (-XX:OnOutOfMemoryError):
 * takes the rest of the container's memory, so that the kernel's OOM killer
 * acts and the verdict comes from its counter, as for a program in any other
 * language that needs more memory than its limit. Without a memory limit to
 * fill it does nothing, and -XX:+ExitOnOutOfMemoryError ends the JVM (exit 3).
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

static long long cgroup_limit(void) {
  static const char *const files[] = {"/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory.max"};
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    FILE *f = fopen(files[i], "r");
    if (!f) continue;
    long long limit = -1;
    int n = fscanf(f, "%lld", &limit);
    fclose(f);
    if (n == 1) return limit;
  }
  return -1;
}

int main(void) {
  long long limit = cgroup_limit();
  /* cgroup v1 reports "no limit" as a huge number, v2 as "max". */
  if (limit <= 0 || limit > (1LL << 40)) return 1;
  const size_t chunk = 1 << 20;
  for (long long taken = 0; taken <= limit; taken += (long long)chunk) {
    char *p = mmap(NULL, chunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return 1;
    memset(p, 1, chunk);
  }
  return 1;
}
