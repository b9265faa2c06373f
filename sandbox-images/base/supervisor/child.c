#define _GNU_SOURCE
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"
#include "landlock.h"
#include "seccomp.h"

/* The same number on every architecture (system calls added since 5.1 share one table); named
 * here so the supervisor builds against headers older than the call. */
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
/* The supervisor never holds a descriptor this high: what the fallback closes up to. */
#define FD_SCAN_LIMIT 1024

/* Only ever lowers a limit: raising past the container's hard limit would need privileges. */
static int set_limit(int resource, rlim_t soft, rlim_t hard) {
  struct rlimit cur;
  if (getrlimit(resource, &cur) < 0) return -1;
  if (cur.rlim_max != RLIM_INFINITY && hard > cur.rlim_max) hard = cur.rlim_max;
  if (soft > hard) soft = hard;
  struct rlimit rl = {soft, hard};
  return setrlimit(resource, &rl);
}

/*
 * Every descriptor from `first` up but `keep` (the status pipe, close-on-exec, so the child
 * never holds it either). The supervisor opens its own descriptors close-on-exec, but an fd
 * opened without it (a library's, a future one) must not reach the child. close_range needs
 * Linux 5.9 (ENOSYS before), and a seccomp profile written before it refuses it (Docker's
 * answers EPERM): on any failure, the same closes one by one.
 */
static void close_other_fds(int first, int keep) {
  /* `keep` lies above `first`: it was moved there (move_above). */
  unsigned f = (unsigned)first, k = (unsigned)keep;
  if ((k == f || syscall(SYS_close_range, f, k - 1, 0U) == 0) && syscall(SYS_close_range, k + 1, ~0U, 0U) == 0) return;
  for (int fd = first; fd < FD_SCAN_LIMIT; fd++)
    if (fd != keep) close(fd);
}

/* A copy of `fd` at MOVED_FDS or above, so the dup2s onto 0..4 cannot overwrite a descriptor still to be moved. */
#define MOVED_FDS 10
static int move_above(int fd, int cloexec) {
  if (fd < 0) return -1;
  int moved = fcntl(fd, cloexec ? F_DUPFD_CLOEXEC : F_DUPFD, MOVED_FDS);
  if (moved < 0) _exit(127);
  return moved;
}

static const char *env_lookup(char **envp, const char *key) {
  size_t klen = strlen(key);
  for (char **e = envp; *e; e++)
    if (strncmp(*e, key, klen) == 0 && (*e)[klen] == '=') return *e + klen + 1;
  return NULL;
}

/* execvp with the candidate's PATH, not ours; returns only on failure, with errno set. */
static void exec_candidate(char **argv, char **envp) {
  if (strchr(argv[0], '/')) {
    execve(argv[0], argv, envp);
    return;
  }
  const char *path = env_lookup(envp, "PATH");
  if (!path) path = "/usr/local/bin:/usr/bin:/bin";
  char candidate[PATH_MAX];
  int saved = ENOENT;
  while (*path) {
    size_t n = strcspn(path, ":");
    if (n > 0 && n + strlen(argv[0]) + 2 < sizeof candidate) {
      memcpy(candidate, path, n);
      candidate[n] = '/';
      strcpy(candidate + n + 1, argv[0]);
      execve(candidate, argv, envp);
      if (errno != ENOENT) saved = errno;
    }
    path += n;
    if (*path == ':') path++;
  }
  errno = saved;
}

void become_child(const run_request *r, const child_spec *c) {
  signal(SIGPIPE, SIG_DFL);
  signal(SIGCHLD, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  setsid();
  int paired = c->peer_in_fd >= 0;
  int from[5] = {move_above(c->in_fd, 0), move_above(c->out_fd, 0), move_above(c->err_fd, 0), move_above(c->peer_in_fd, 0),
                 move_above(c->peer_out_fd, 0)};
  int status_fd = move_above(c->status_fd, 1);
  int targets = paired ? 5 : 3;
  for (int fd = 0; fd < targets; fd++) dup2(from[fd], fd);
  /* Reopening stdio by name (/dev/stdin, /proc/self/fd/0) checks the pipe's owner:
   * give the child its own pipes. A failure only keeps that idiom unavailable. */
  for (int fd = 0; fd < targets; fd++) {
    int ignored = fchown(fd, c->uid, c->gid);
    (void)ignored;
  }
  close_other_fds(targets, status_fd);
  /* The candidate, never the supervisor, is what the OOM killer should pick. A
   * candidate may lower it again (that needs no privilege down to 0); the service
   * then sees the supervisor OOM-killed and judges the test as over its memory. */
  int oom = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
  if (oom >= 0) {
    ssize_t ignored = write(oom, "1000", 4);
    (void)ignored;
    close(oom);
  }
  /* RLIMIT_CPU is only a backstop per process: the container-wide counter decides. */
  rlim_t cpu_s = (rlim_t)((r->cpu_limit_us + 999999) / 1000000) + 1;
  int failure[2] = {0, 0};
  if (set_limit(RLIMIT_CPU, cpu_s, cpu_s + 1) < 0 || set_limit(RLIMIT_FSIZE, r->fsize_bytes, r->fsize_bytes) < 0 ||
      set_limit(RLIMIT_NOFILE, r->nofile, r->nofile) < 0 || set_limit(RLIMIT_CORE, 0, 0) < 0 ||
      set_limit(RLIMIT_STACK, r->stack_bytes, r->stack_bytes) < 0 || chdir(c->dir) < 0 || setgroups(0, NULL) < 0 ||
      setgid(c->gid) < 0 || setuid(c->uid) < 0 || install_socket_filter() < 0 || hide_cgroup_counters() < 0) {
    failure[0] = CHILD_SETUP_FAILED;
  } else {
    umask(022);
    exec_candidate(c->argv, c->envp);
    failure[0] = CHILD_EXEC_FAILED;
  }
  failure[1] = errno;
  ssize_t ignored = write(status_fd, failure, sizeof failure);
  (void)ignored;
  _exit(127);
}
