#define _GNU_SOURCE
#include "landlock.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The ABI 1 subset of <linux/landlock.h>, so the supervisor builds against any base image's headers. */
#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule 445
#define __NR_landlock_restrict_self 446
#endif
#define LL_CREATE_RULESET_VERSION (1U << 0)
#define LL_ACCESS_FS_READ_FILE (1ULL << 2)
#define LL_ACCESS_FS_READ_DIR (1ULL << 3)
#define LL_ACCESS_FS_REFER (1ULL << 13)
#define LL_RULE_PATH_BENEATH 1
struct ll_ruleset_attr {
  uint64_t handled_access_fs;
};
struct ll_path_beneath_attr {
  uint64_t allowed_access;
  int32_t parent_fd;
} __attribute__((packed));

static int landlock_abi(void) {
  long abi = syscall(__NR_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);
  return abi > 0 ? (int)abi : 0;
}

int landlock_available(void) { return landlock_abi() > 0; }

/* A ruleset that does not handle REFER (ABI 1 has none) refuses every link or rename into another
 * directory with EXDEV; handled and granted on every rule's directory, they stay as they were. */
static unsigned long long landlock_refer(void) { return landlock_abi() >= 2 ? LL_ACCESS_FS_REFER : 0; }

/* Limits the runtimes size themselves by (the JVM's heap, V8's via libuv, thread pools). Every one is a
 * setting of the container, never something a candidate moves. memory.usage_in_bytes is left out: the
 * page cache a candidate faulted in from the image stays charged after the wipe (1.2 MiB before, 5.8 MiB
 * after reading some libraries), a number the next candidate would read. */
static const char *const cgroup_limit_files[] = {
  "memory/memory.limit_in_bytes", "memory/memory.soft_limit_in_bytes", "memory/memory.memsw.limit_in_bytes",
  "cpu/cpu.cfs_quota_us", "cpu/cpu.cfs_period_us", "cpu/cpu.shares", "cpuset/cpuset.cpus", "cpuset/cpuset.mems",
  "memory.max", "memory.high", "cpu.max", "cpu.weight", "cpuset.cpus.effective", NULL,
};

/* A missing entry is no error: the list names both cgroup versions. Symlinks (/lib -> usr/lib)
 * are skipped: what they lead to has its own rule, or is meant to stay unreadable. */
static int allow_beneath(int ruleset, int dirfd, const char *name) {
  int fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT ? 0 : -1;
  struct stat st;
  int rc = fstat(fd, &st);
  if (rc == 0 && !S_ISLNK(st.st_mode)) {
    struct ll_path_beneath_attr rule = {LL_ACCESS_FS_READ_FILE | (S_ISDIR(st.st_mode) ? LL_ACCESS_FS_READ_DIR | landlock_refer() : 0), fd};
    rc = (int)syscall(__NR_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &rule, 0);
  }
  int saved = errno;
  close(fd);
  errno = saved;
  return rc;
}

static int allow_entries_except(int ruleset, const char *dir, const char *except) {
  DIR *d = opendir(dir);
  if (!d) return -1;
  int rc = 0;
  struct dirent *e;
  while (rc == 0 && (e = readdir(d)))
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, except))
      rc = allow_beneath(ruleset, dirfd(d), e->d_name);
  int saved = errno;
  closedir(d);
  errno = saved;
  return rc;
}

int hide_cgroup_counters(void) {
  if (!landlock_available()) return 0;
  struct ll_ruleset_attr attr = {LL_ACCESS_FS_READ_FILE | LL_ACCESS_FS_READ_DIR | landlock_refer()};
  int ruleset = (int)syscall(__NR_landlock_create_ruleset, &attr, sizeof attr, 0);
  if (ruleset < 0) return -1;
  int cgroup = open("/sys/fs/cgroup", O_PATH | O_DIRECTORY | O_CLOEXEC);
  int rc = allow_entries_except(ruleset, "/", "sys");
  if (rc == 0) rc = allow_entries_except(ruleset, "/sys", "fs");
  if (rc == 0) rc = allow_entries_except(ruleset, "/sys/fs", "cgroup");
  /* mq_open() opens its queue on the IPC namespace's own mount of the same file system, which no
   * rule on / reaches: the rule must be on that file system's root, here where it is mounted. */
  if (rc == 0) rc = allow_beneath(ruleset, AT_FDCWD, "/dev/mqueue");
  for (const char *const *f = cgroup_limit_files; rc == 0 && cgroup >= 0 && *f; f++)
    rc = allow_beneath(ruleset, cgroup, *f);
  if (rc == 0) rc = (int)syscall(__NR_landlock_restrict_self, ruleset, 0);
  int saved = errno;
  if (cgroup >= 0) close(cgroup);
  close(ruleset);
  errno = saved;
  return rc;
}
