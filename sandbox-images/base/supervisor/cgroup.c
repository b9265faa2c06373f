#define _GNU_SOURCE
#include "cgroup.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef enum { CG_NONE, CG_V1, CG_V2 } cgroup_kind;
static cgroup_kind cgroup_mode = CG_NONE;

static int read_file(const char *path, char *buf, size_t cap) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, cap - 1);
  close(fd);
  if (n < 0) return -1;
  buf[n] = '\0';
  return 0;
}

static long long keyed_counter(const char *path, const char *key) {
  char buf[4096];
  if (read_file(path, buf, sizeof buf) < 0) return -1;
  size_t klen = strlen(key);
  for (char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
    if (strncmp(line, key, klen) == 0 && line[klen] == ' ') return atoll(line + klen + 1);
  }
  return -1;
}

void detect_cgroup(void) {
  char buf[64];
  if (read_file("/sys/fs/cgroup/cpuacct/cpuacct.usage", buf, sizeof buf) == 0 ||
      read_file("/sys/fs/cgroup/cpu,cpuacct/cpuacct.usage", buf, sizeof buf) == 0)
    cgroup_mode = CG_V1;
  else if (keyed_counter("/sys/fs/cgroup/cpu.stat", "usage_usec") >= 0)
    cgroup_mode = CG_V2;
}

const char *cgroup_name(void) { return cgroup_mode == CG_V1 ? "v1" : cgroup_mode == CG_V2 ? "v2" : "none"; }

long long cgroup_cpu_us(void) {
  char buf[64];
  switch (cgroup_mode) {
  case CG_V1:
    if (read_file("/sys/fs/cgroup/cpuacct/cpuacct.usage", buf, sizeof buf) == 0 ||
        read_file("/sys/fs/cgroup/cpu,cpuacct/cpuacct.usage", buf, sizeof buf) == 0)
      return atoll(buf) / 1000;
    return -1;
  case CG_V2:
    return keyed_counter("/sys/fs/cgroup/cpu.stat", "usage_usec");
  default:
    return -1;
  }
}

long long oom_kill_count(void) {
  switch (cgroup_mode) {
  case CG_V1:
    return keyed_counter("/sys/fs/cgroup/memory/memory.oom_control", "oom_kill");
  case CG_V2:
    return keyed_counter("/sys/fs/cgroup/memory.events", "oom_kill");
  default:
    return -1;
  }
}

/*
 * What the container's cgroup charges, less the page cache of ordinary files:
 * anonymous memory of every process (shared pages once), tmpfs files (/tmp,
 * /dev/shm), and kernel memory such as socket and pipe buffers, page tables and
 * stacks. File cache is left out: the kernel reclaims it at will, and a
 * previous run may have filled it. -1 when unreadable.
 */
static long long cgroup_held_bytes(void) {
  const char *usage_path, *stat_path, *file_key;
  switch (cgroup_mode) {
  case CG_V1:
    usage_path = "/sys/fs/cgroup/memory/memory.usage_in_bytes";
    stat_path = "/sys/fs/cgroup/memory/memory.stat";
    file_key = "cache";
    break;
  case CG_V2:
    usage_path = "/sys/fs/cgroup/memory.current";
    stat_path = "/sys/fs/cgroup/memory.stat";
    file_key = "file";
    break;
  default:
    return -1;
  }
  char buf[64];
  if (read_file(usage_path, buf, sizeof buf) < 0) return -1;
  long long file = keyed_counter(stat_path, file_key), shmem = keyed_counter(stat_path, "shmem");
  if (file < 0 || shmem < 0) return -1;
  return atoll(buf) - (file - shmem);
}

/* Our own resident anonymous memory: it grows with the output we capture, which is not the program's. */
static long long own_anon_bytes(void) {
  char buf[128];
  long long size, resident, shared;
  if (read_file("/proc/self/statm", buf, sizeof buf) < 0 || sscanf(buf, "%lld %lld %lld", &size, &resident, &shared) != 3) return 0;
  return (resident - shared) * sysconf(_SC_PAGESIZE);
}

static long long held_by_program(void) {
  long long held = cgroup_held_bytes();
  return held < 0 ? -1 : held - own_anon_bytes();
}

memory_watch memory_watch_start(void) { return (memory_watch){held_by_program(), 0}; }

void memory_watch_sample(memory_watch *w) {
  long long held = w->baseline_bytes < 0 ? -1 : held_by_program();
  if (held >= 0 && held - w->baseline_bytes > w->peak_bytes) w->peak_bytes = held - w->baseline_bytes;
}
