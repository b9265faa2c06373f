#define _GNU_SOURCE
#include "reap.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

static int sigchld_pipe[2] = {-1, -1};

static void on_sigchld(int sig) {
  (void)sig;
  int saved = errno;
  char b = 0;
  ssize_t ignored = write(sigchld_pipe[1], &b, 1);
  (void)ignored;
  errno = saved;
}

void watch_children(void) {
  if (pipe2(sigchld_pipe, O_CLOEXEC | O_NONBLOCK) < 0) die("pipe: %s", strerror(errno));
  struct sigaction sa = {0};
  sa.sa_handler = on_sigchld;
  sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
  sigaction(SIGCHLD, &sa, NULL);
}

int child_exit_fd(void) { return sigchld_pipe[0]; }

void drain_child_exits(void) {
  char buf[256];
  while (read(sigchld_pipe[0], buf, sizeof buf) > 0) {
  }
}

long long now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static long long tv_us(struct timeval tv) { return (long long)tv.tv_sec * 1000000LL + tv.tv_usec; }

static void account(reap_state *st, pid_t pid, int status, const struct rusage *ru) {
  st->cpu_us += tv_us(ru->ru_utime) + tv_us(ru->ru_stime);
  if (ru->ru_maxrss > st->rss_kb) st->rss_kb = ru->ru_maxrss;
  if (pid == st->main_pid) {
    st->main_done = 1;
    st->main_status = status;
    st->main_end_us = now_us();
  } else if (st->peer_pid > 0 && pid == st->peer_pid) {
    st->peer_done = 1;
    st->peer_status = status;
  }
}

int reap_ready(reap_state *st) {
  for (;;) {
    int status;
    struct rusage ru;
    pid_t pid = wait4(-1, &status, WNOHANG, &ru);
    if (pid > 0) {
      account(st, pid, status, &ru);
      continue;
    }
    if (pid < 0 && errno == EINTR) continue;
    return pid < 0 && errno == ECHILD;
  }
}

/*
 * As PID 1 of the container's pid namespace, kill(-1) reaches every other
 * process in it, including setsid daemons and stopped processes; orphans are
 * reparented to us, so ECHILD means the namespace holds nobody but us.
 */
void kill_everything(reap_state *st) {
  for (;;) {
    kill(-1, SIGKILL);
    int status;
    struct rusage ru;
    pid_t pid = wait4(-1, &status, 0, &ru);
    if (pid > 0) {
      account(st, pid, status, &ru);
      continue;
    }
    if (pid < 0 && errno == EINTR) continue;
    if (pid < 0 && errno == ECHILD) return;
  }
}
