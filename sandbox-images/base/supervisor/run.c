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

/* A stdin being written: the request's bytes, as fast as the process reads them. */
typedef struct {
  int fd;
  const blob_t *data;
  size_t off;
} feed_t;

static void feed_close(feed_t *f) {
  if (f->fd >= 0) close(f->fd);
  f->fd = -1;
}

static void feed_write(feed_t *f, short revents) {
  if (revents & (POLLERR | POLLHUP)) {
    feed_close(f);
    return;
  }
  ssize_t n = write(f->fd, f->data->data + f->off, f->data->len - f->off);
  if (n > 0) f->off += (size_t)n;
  if ((n < 0 && errno != EAGAIN && errno != EINTR) || f->off == f->data->len) feed_close(f);
}

/* An output being captured. */
typedef struct {
  int fd;
  capture_t cap;
} drain_t;

static void make_pipe(int p[2]) {
  if (pipe2(p, O_CLOEXEC)) die("pipe: %s", strerror(errno));
}

/* {kind, errno} from a child's status pipe; {0, 0} once it exec'd (EOF: the pipe is close-on-exec). */
static void read_exec_status(int fd, int failure[2]) {
  ssize_t n;
  do n = read(fd, failure, 2 * sizeof *failure);
  while (n < 0 && errno == EINTR);
  if (n != (ssize_t)(2 * sizeof *failure)) failure[0] = failure[1] = 0;
  close(fd);
}

/*
 * A paired run's trusted process, forked before the candidate: its own uid and group, stdin
 * (the request's trusted stdin), one pipe for its stdout and stderr, and the channel to the
 * candidate as fds 3 and 4. It runs in /, outside the box the candidate writes to.
 */
static pid_t fork_trusted(const run_request *r, int peer_in, int peer_out, int in_pipe[2], int out_pipe[2], int status[2]) {
  make_pipe(in_pipe);
  make_pipe(out_pipe);
  make_pipe(status);
  pid_t pid = fork();
  if (pid < 0) die("fork: %s", strerror(errno));
  if (pid == 0) {
    child_spec c = {r->trusted_argv, r->trusted_envp, TRUSTED_UID, TRUSTED_GID, "/", in_pipe[0], out_pipe[1], out_pipe[1], peer_in, peer_out, status[1]};
    become_child(r, &c);
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  close(status[1]);
  return pid;
}

run_result run_program(const run_request *r, uid_t uid) {
  int paired = r->trusted_argc > 0;
  int in_pipe[2], out_pipe[2], err_pipe[2], exec_pipe[2];
  make_pipe(in_pipe);
  make_pipe(out_pipe);
  make_pipe(err_pipe);
  make_pipe(exec_pipe);
  /* The channel of a paired run: to_trusted is the candidate's fd 4 and the trusted's fd 3, to_candidate the other way. */
  int to_trusted[2] = {-1, -1}, to_candidate[2] = {-1, -1};
  int t_in[2] = {-1, -1}, t_out[2] = {-1, -1}, t_status[2] = {-1, -1};
  if (paired) {
    make_pipe(to_trusted);
    make_pipe(to_candidate);
  }

  long long oom_before = oom_kill_count();
  long long cg_cpu_before = cgroup_cpu_us();
  memory_watch memory = memory_watch_start();
  long long start = now_us();
  reap_state st = {0};

  pid_t trusted_pid = paired ? fork_trusted(r, to_trusted[0], to_candidate[1], t_in, t_out, t_status) : -1;
  pid_t pid = fork();
  if (pid < 0) die("fork: %s", strerror(errno));
  if (pid == 0) {
    child_spec c = {r->argv, r->envp, uid, CANDIDATE_GID, BOX_DIR, in_pipe[0], out_pipe[1], err_pipe[1], to_candidate[0], to_trusted[1], exec_pipe[1]};
    become_child(r, &c);
  }
  /* The trusted process decides when a paired run is over; the candidate is its peer. */
  if (paired) {
    st.main_pid = trusted_pid;
    st.peer_pid = pid;
    for (int i = 0; i < 2; i++) {
      close(to_trusted[i]);
      close(to_candidate[i]);
    }
  } else {
    st.main_pid = pid;
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  close(exec_pipe[1]);

  int failure[2] = {0, 0}, trusted_failure[2] = {0, 0};
  read_exec_status(exec_pipe[0], failure);
  if (paired) read_exec_status(t_status[0], trusted_failure);
  int exec_errno = failure[1];

  size_t output_cap = r->output_cap;
  feed_t feeds[2] = {{in_pipe[1], &r->input, 0}, {t_in[1], &r->trusted_input, 0}};
  for (int f = 0; f < 2; f++) {
    if (feeds[f].fd < 0) continue;
    set_nonblock(feeds[f].fd);
    if (feeds[f].data->len == 0 || failure[0] || trusted_failure[0]) feed_close(&feeds[f]);
  }
  /* stdout, stderr, and the trusted process's output. */
  drain_t drains[3] = {{out_pipe[0], {xmalloc(output_cap + 1), 0, output_cap, 0}},
                       {err_pipe[0], {xmalloc(output_cap + 1), 0, output_cap, 0}},
                       {t_out[0], {xmalloc(output_cap + 1), 0, output_cap, 0}}};
  for (int d = 0; d < 3; d++)
    if (drains[d].fd >= 0) set_nonblock(drains[d].fd);
  run_reason reason = failure[0] == CHILD_SETUP_FAILED ? REASON_SETUP : failure[0] == CHILD_EXEC_FAILED ? REASON_EXEC : REASON_NONE;
  int killed = 0, peer_first = 0;
  /* A trusted process that could not start: nothing to wait for. */
  if (trusted_failure[0]) {
    kill_everything(&st);
    killed = 1;
  }
  long long last_cpu_check = 0;
  long long last_memory_check = 0;
  char buf[65536];

  for (;;) {
    int open_drains = 0;
    for (int d = 0; d < 3; d++) open_drains += drains[d].fd >= 0;
    if (!open_drains && st.main_done) break;
    if (st.main_done && !killed) {
      /* Main has exited: whatever it left behind dies now, then pipes reach EOF. */
      peer_first = st.peer_done;
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
    struct pollfd fds[6];
    int nfds = 0, at_drain[3] = {-1, -1, -1}, at_feed[2] = {-1, -1};
    fds[nfds++] = (struct pollfd){child_exit_fd(), POLLIN, 0};
    for (int d = 0; d < 3; d++)
      if (drains[d].fd >= 0) { at_drain[d] = nfds; fds[nfds++] = (struct pollfd){drains[d].fd, POLLIN, 0}; }
    for (int f = 0; f < 2; f++)
      if (feeds[f].fd >= 0) { at_feed[f] = nfds; fds[nfds++] = (struct pollfd){feeds[f].fd, POLLOUT, 0}; }
    long long wall_left_ms = (r->wall_limit_us - elapsed) / 1000 + 1;
    int timeout = killed ? 100 : (int)(wall_left_ms < CPU_POLL_MS ? wall_left_ms : CPU_POLL_MS);
    if (timeout < 1) timeout = 1;
    int rc = poll(fds, (nfds_t)nfds, timeout);
    if (rc < 0 && errno != EINTR) die("poll: %s", strerror(errno));
    if (rc > 0 && fds[0].revents) drain_child_exits();
    reap_ready(&st);
    if (rc <= 0) continue;
    for (int d = 0; d < 3; d++) {
      int idx = at_drain[d];
      if (idx < 0 || !fds[idx].revents) continue;
      ssize_t n = read(drains[d].fd, buf, sizeof buf);
      if (n > 0) {
        capture_push(&drains[d].cap, buf, (size_t)n);
        /* The limit is the candidate's: the trusted process's output is the service's own. */
        if (d < 2 && r->kill_on_output && !killed && drains[0].cap.seen + drains[1].cap.seen > output_cap) {
          reason = REASON_OUTPUT;
          kill_everything(&st);
          killed = 1;
        }
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        close(drains[d].fd);
        drains[d].fd = -1;
      }
    }
    for (int f = 0; f < 2; f++)
      if (at_feed[f] >= 0 && fds[at_feed[f]].revents) feed_write(&feeds[f], fds[at_feed[f]].revents);
  }
  for (int f = 0; f < 2; f++) feed_close(&feeds[f]);
  capture_t out = drains[0].cap, err = drains[1].cap, trusted = drains[2].cap;
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
  /* A paired run's candidate is reported only when it ended by itself, before the trusted process. */
  int reported = paired ? peer_first : 1, status = paired ? st.peer_status : st.main_status;
  if (reported && WIFEXITED(status)) res.exit_code = WEXITSTATUS(status);
  else if (reported && WIFSIGNALED(status)) res.signo = WTERMSIG(status);
  if (failure[0]) res.exit_code = -1;
  res.paired = paired;
  res.trusted_exit = -1;
  if (paired && WIFEXITED(st.main_status)) res.trusted_exit = WEXITSTATUS(st.main_status);
  else if (paired && WIFSIGNALED(st.main_status)) res.trusted_signal = WTERMSIG(st.main_status);
  res.trusted_failure = trusted_failure[0];
  res.trusted_out = (blob_t){trusted.data, trusted.len};
  res.trusted_out_truncated = trusted.seen > trusted.len;
  res.reason = reason;
  res.exec_errno = exec_errno;
  res.box_bytes = box_bytes();
  res.out = (blob_t){out.data, out.len};
  res.out_truncated = out.seen > out.len;
  res.err = (blob_t){err.data, err.len};
  res.err_truncated = err.seen > err.len;
  return res;
}
