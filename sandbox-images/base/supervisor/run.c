#define _GNU_SOURCE
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "box.h"
#include "cgroup.h"
#include "child.h"
#include "common.h"
#include "reap.h"

#define CPU_POLL_MS 10
/* The sum of all processes' memory is sampled; a spike shorter than this can pass unseen below the cgroup's limit. */
#define MEMORY_POLL_MS 10

/* Keeps the first `cap` bytes of a stream and counts all of them. */
typedef struct {
  char *data;
  size_t len, cap, seen;
} capture_t;

static void capture_push(capture_t *c, const char *buf, size_t n) {
  c->seen += n;
  size_t room = c->cap > c->len ? c->cap - c->len : 0;
  size_t take = n < room ? n : room;
  memcpy(c->data + c->len, buf, take);
  c->len += take;
}

static void set_nonblock(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

run_result run_program(const run_request *r, uid_t uid) {
  int in_pipe[2], out_pipe[2], err_pipe[2], exec_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) || pipe2(out_pipe, O_CLOEXEC) || pipe2(err_pipe, O_CLOEXEC) ||
      pipe2(exec_pipe, O_CLOEXEC))
    die("pipe: %s", strerror(errno));

  long long oom_before = oom_kill_count();
  long long cg_cpu_before = cgroup_cpu_us();
  memory_watch memory = memory_watch_start();
  long long start = now_us();
  reap_state st = {0};

  pid_t pid = fork();
  if (pid < 0) die("fork: %s", strerror(errno));
  if (pid == 0) become_candidate(r, uid, in_pipe[0], out_pipe[1], err_pipe[1], exec_pipe[1]);
  st.main_pid = pid;
  close(in_pipe[0]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  close(exec_pipe[1]);

  /* The exec pipe is close-on-exec: EOF means the candidate is running. */
  int failure[2] = {0, 0};
  {
    ssize_t n;
    do n = read(exec_pipe[0], failure, sizeof failure);
    while (n < 0 && errno == EINTR);
    if (n != (ssize_t)sizeof failure) failure[0] = failure[1] = 0;
    close(exec_pipe[0]);
  }
  int exec_errno = failure[1];

  int in_fd = in_pipe[1];
  set_nonblock(in_fd);
  set_nonblock(out_pipe[0]);
  set_nonblock(err_pipe[0]);
  size_t in_off = 0;
  if (r->input.len == 0 || failure[0]) {
    close(in_fd);
    in_fd = -1;
  }

  size_t output_cap = r->output_cap;
  capture_t out = {xmalloc(output_cap + 1), 0, output_cap, 0};
  capture_t err = {xmalloc(output_cap + 1), 0, output_cap, 0};
  run_reason reason = failure[0] == CHILD_SETUP_FAILED ? REASON_SETUP : failure[0] == CHILD_EXEC_FAILED ? REASON_EXEC : REASON_NONE;
  int out_open = 1, err_open = 1, killed = 0;
  long long last_cpu_check = 0;
  long long last_memory_check = 0;
  char buf[65536];

  while (out_open || err_open || !st.main_done) {
    if (st.main_done && !killed) {
      /* Main has exited: whatever it left behind dies now, then pipes reach EOF. */
      kill_everything(&st);
      killed = 1;
    }
    long long elapsed = now_us() - start;
    if (!killed && elapsed > r->wall_limit_us) {
      reason = REASON_WALL;
      kill_everything(&st);
      killed = 1;
    }
    if (!killed && cg_cpu_before >= 0 && elapsed - last_cpu_check >= CPU_POLL_MS * 1000LL) {
      last_cpu_check = elapsed;
      long long used = cgroup_cpu_us() - cg_cpu_before;
      if (used > r->cpu_limit_us) {
        reason = REASON_CPU;
        kill_everything(&st);
        killed = 1;
      }
    }
    if (!killed && elapsed - last_memory_check >= MEMORY_POLL_MS * 1000LL) {
      last_memory_check = elapsed;
      memory_watch_sample(&memory);
    }
    struct pollfd fds[4];
    int nfds = 0, i_out = -1, i_err = -1, i_in = -1;
    fds[nfds] = (struct pollfd){child_exit_fd(), POLLIN, 0};
    nfds++;
    if (out_open) { i_out = nfds; fds[nfds++] = (struct pollfd){out_pipe[0], POLLIN, 0}; }
    if (err_open) { i_err = nfds; fds[nfds++] = (struct pollfd){err_pipe[0], POLLIN, 0}; }
    if (in_fd >= 0) { i_in = nfds; fds[nfds++] = (struct pollfd){in_fd, POLLOUT, 0}; }
    long long wall_left_ms = (r->wall_limit_us - elapsed) / 1000 + 1;
    int timeout = killed ? 100 : (int)(wall_left_ms < CPU_POLL_MS ? wall_left_ms : CPU_POLL_MS);
    if (timeout < 1) timeout = 1;
    int rc = poll(fds, (nfds_t)nfds, timeout);
    if (rc < 0 && errno != EINTR) die("poll: %s", strerror(errno));
    if (rc > 0 && fds[0].revents) drain_child_exits();
    reap_ready(&st);
    if (rc <= 0) continue;
    int streams[2] = {i_out, i_err};
    for (int s = 0; s < 2; s++) {
      int idx = streams[s];
      if (idx < 0 || !fds[idx].revents) continue;
      int fd = fds[idx].fd;
      ssize_t n = read(fd, buf, sizeof buf);
      if (n > 0) {
        capture_push(s == 0 ? &out : &err, buf, (size_t)n);
        if (r->kill_on_output && !killed && out.seen + err.seen > output_cap) {
          reason = REASON_OUTPUT;
          kill_everything(&st);
          killed = 1;
        }
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        close(fd);
        if (s == 0) out_open = 0;
        else err_open = 0;
      }
    }
    if (i_in >= 0 && fds[i_in].revents) {
      if (fds[i_in].revents & (POLLERR | POLLHUP)) {
        close(in_fd);
        in_fd = -1;
      } else {
        ssize_t n = write(in_fd, r->input.data + in_off, r->input.len - in_off);
        if (n > 0) in_off += (size_t)n;
        if ((n < 0 && errno != EAGAIN && errno != EINTR) || in_off == r->input.len) {
          close(in_fd);
          in_fd = -1;
        }
      }
    }
  }
  if (in_fd >= 0) close(in_fd);
  if (!killed) kill_everything(&st);

  run_result res = {0};
  res.wall_us = (st.main_end_us ? st.main_end_us : now_us()) - start;
  /* The limit was enforced on the container's counter: report what it counted,
   * so a time-limit verdict never shows less CPU than the limit. */
  if (cg_cpu_before >= 0) {
    long long cg_used = cgroup_cpu_us() - cg_cpu_before;
    if (cg_used > st.cpu_us) st.cpu_us = cg_used;
  }
  res.cpu_us = st.cpu_us;
  /* One process's high-water mark can exceed the samples (a spike between two); else the sum decides. */
  res.rss_kb = memory.peak_bytes / 1024 > st.rss_kb ? memory.peak_bytes / 1024 : st.rss_kb;
  long long oom_after = oom_kill_count();
  res.oom_kills = (oom_before >= 0 && oom_after >= 0) ? oom_after - oom_before : -1;

  res.exit_code = -1;
  if (WIFEXITED(st.main_status)) res.exit_code = WEXITSTATUS(st.main_status);
  else if (WIFSIGNALED(st.main_status)) res.signo = WTERMSIG(st.main_status);
  if (failure[0]) res.exit_code = -1;
  res.reason = reason;
  res.exec_errno = exec_errno;
  res.box_bytes = box_bytes();
  res.out = (blob_t){out.data, out.len};
  res.out_truncated = out.seen > out.len;
  res.err = (blob_t){err.data, err.len};
  res.err_truncated = err.seen > err.len;
  return res;
}
