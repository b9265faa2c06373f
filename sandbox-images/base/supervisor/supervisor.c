/*
 * verdict-supervisor: PID 1 of every sandbox container.
 *
 * The service drives it over the container's attached stdin and reads framed
 * replies from its stdout (protocol.h); nothing else crosses the container
 * boundary. It runs as root inside the container (with a handful of
 * capabilities) so that it can write the program, drop candidate processes to an
 * unprivileged uid, kill all of them after every run and wipe what they wrote.
 *
 * This file is the request loop and the state it carries from one request to the
 * next: the candidate's uid and whether the box is sealed. The parts, by concern:
 *   protocol   framing; the FILE, RUN and RESET requests, the HELLO, OK, ERR and RESULT replies
 *   run        one run (or a paired one: the candidate and a trusted test process): pipes, fork,
 *              limits enforced, accounting
 *   child      the forked side until exec: stdio, descriptors, rlimits, uid, exec
 *   reap       children's exits; killing every process of the container
 *   cgroup     the container's CPU, OOM and memory counters
 *   box        the program's directory: written, sealed, wiped
 *   scratch    /tmp, /dev/shm, /dev/mqueue and SysV IPC, wiped after every run
 *   tree       the directory walker box and scratch use
 *   seccomp    the candidate's sockets: AF_UNIX only
 *   landlock   the cgroup counters, unreadable by the candidate
 *   sockets    unix sockets in flight, collected before the next candidate
 *   common     fatal errors, checked allocation
 *
 * RESET hands the container to the next candidate: after it, nothing the
 * previous one started or wrote is left, and the box is as empty and
 * unsealed as in a fresh container.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "box.h"
#include "cgroup.h"
#include "common.h"
#include "landlock.h"
#include "protocol.h"
#include "reap.h"
#include "run.h"
#include "scratch.h"
#include "sockets.h"

/* The service picks a uid per sandbox (--uid), so per-user kernel limits (inotify
 * instances, message queue bytes) are not shared between concurrent sandboxes. */
#define DEFAULT_CANDIDATE_UID 10001
static uid_t candidate_uid = DEFAULT_CANDIDATE_UID;
/* After the first test (or a compile) the box is root's and read-only to the candidate (seal_box). */
static int sealed = 0;

static void handle_file(const char *header) {
  file_request r = read_file_request(header);
  if (sealed) {
    reply_error("files cannot be added after the program was sealed");
  } else {
    switch (write_box_file(r.path.data, r.path.len, r.content.data, r.content.len, r.mode)) {
    case BOX_FILE_WRITTEN:
      reply_ok();
      break;
    case BOX_FILE_UNSAFE_PATH:
      reply_error("unsafe path");
      break;
    case BOX_FILE_CANNOT_CREATE:
      reply_error("cannot create %s: %s", r.path.data, strerror(errno));
      break;
    case BOX_FILE_CANNOT_WRITE:
      reply_error("cannot write %s: %s", r.path.data, strerror(errno));
      break;
    }
  }
  free_file_request(&r);
}

static void handle_run(const char *header) {
  run_request r = read_run_request(header);
  if (r.compile && sealed) die("compile after seal");
  if (r.compile && own_box(candidate_uid) < 0) die("cannot hand %s to the candidate: %s", BOX_DIR, strerror(errno));
  if (!r.compile && !sealed) {
    if (seal_box() < 0) die("cannot seal %s: %s", BOX_DIR, strerror(errno));
    sealed = 1;
  }

  run_result res = run_program(&r, candidate_uid);
  reply_result(&res);
  free(res.out.data);
  free(res.err.data);
  free(res.trusted_out.data);

  /* The run is over and reported first: what it left behind, however much, can then only cost
   * this sandbox (the service retires one that does not answer OK in time), never the run's result. */
  wipe_scratch(candidate_uid);
  if (r.compile) {
    if (seal_box() < 0) die("cannot seal %s: %s", BOX_DIR, strerror(errno));
    sealed = 1;
  } else if (wipe_created() < 0) {
    /* What this test wrote in the box must never reach the next test: the service discards us. */
    die("cannot wipe what the test created in %s: %s", BOX_DIR, strerror(errno));
  }
  reply_ok();
  free_run_request(&r);
}

/* Below 1000 lie root and the image's system users; the top keeps the uid a
 * positive int and far from (uid_t)-1, which setuid-family calls read as "unchanged". */
static int parse_uid(const char *text, uid_t *out) {
  char *end;
  errno = 0;
  unsigned long long uid = strtoull(text, &end, 10);
  if (text[0] < '0' || text[0] > '9' || errno || *end || uid < 1000 || uid > 2147483647ULL || uid == TRUSTED_UID) return 0;
  *out = (uid_t)uid;
  return 1;
}

static void handle_reset(const char *header) {
  char text[32];
  uid_t uid;
  if (!header_value(header, "uid", text, sizeof text)) die("RESET lacks uid");
  /* Refused before anything changes: the sandbox stays with the candidate it had. */
  if (!parse_uid(text, &uid)) {
    reply_error("bad uid %s", text);
    return;
  }
  /* Nothing runs between requests, but the wipe below relies on it, so make sure. */
  reap_state st = {0};
  kill_everything(&st);
  collect_unix_sockets();
  /* A box or scratch space we could not empty must never reach the next candidate:
   * dying turns the sandbox into one the service discards. */
  if (empty_box() < 0) die("cannot empty %s: %s", BOX_DIR, strerror(errno));
  /* Still the old uid: only the owner of a SysV IPC object can remove it. */
  wipe_scratch(candidate_uid);
  sealed = 0;
  candidate_uid = uid;
  reply_ok();
}

int main(int argc, char **argv) {
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--uid") != 0) die("unknown argument %s", argv[i]);
    if (!parse_uid(argv[i + 1], &candidate_uid)) die("bad --uid %s", argv[i + 1]);
  }
  signal(SIGPIPE, SIG_IGN);
  if (getpid() != 1) prctl(PR_SET_CHILD_SUBREAPER, 1);
  watch_children();
  detect_cgroup();
  remember_box_mode();
  wipe_scratch(candidate_uid);

  reply_hello(cgroup_name(), oom_kill_count() >= 0, landlock_available());

  char header[MAX_HEADER];
  while (read_header(header, sizeof header)) {
    if (strncmp(header, "FILE ", 5) == 0) handle_file(header);
    else if (strncmp(header, "RUN ", 4) == 0) handle_run(header);
    else if (strncmp(header, "RESET ", 6) == 0) handle_reset(header);
    else die("unknown request '%.40s'", header);
  }
  return 0;
}
