/*
 * The framed protocol with the service (its side: src/sandbox/protocol.ts). The service writes
 * requests to our stdin and reads replies from our stdout; candidate processes never see either,
 * so they cannot forge a frame. Every blob is "<decimal length>\n<bytes>".
 *
 * Requests:
 *   FILE mode=<octal>            + blobs: path, content
 *   RUN  phase=compile|test cpu_ms= wall_ms= output_bytes= kill_on_output=0|1
 *        fsize_bytes= nofile= stack_bytes= argc= envc= [trusted_argc= trusted_envc=]
 *                                + blobs: argv[0..argc), env[0..envc), stdin,
 *                                  then, for a paired run, trusted argv, env and stdin
 *   RESET uid=<N>                  (OK, or ERR for a uid out of range)
 * Replies:
 *   HELLO proto=4 cgroup=v1|v2|none oom_counter=0|1 landlock=0|1
 *   OK | ERR + blob message
 *   RESULT exit= signal= cpu_us= wall_us= rss_kb= oom_kills= reason= exec_errno=
 *          box_bytes= stdout_len= stdout_truncated= stderr_len= stderr_truncated=
 *          trusted=0|1 trusted_exit= trusted_signal= trusted_failure=0|1|2 trusted_len= trusted_truncated=
 *          followed by the captured stdout, stderr and trusted output bytes; a RUN is answered
 *          by a RESULT as soon as every process of the run is dead, then by OK
 *          once scratch space is wiped and, after a test, what it created in
 *          the box (after a compile, the box is sealed instead).
 *          rss_kb is the peak memory of all the program's processes together
 *          (memory_watch), or of its largest process when that was higher.
 *          In a paired run (trusted_argc > 0) exit and signal are the candidate's, and only
 *          when it ended before the trusted process did; trusted_* are the trusted process's
 *          (trusted_failure: it could not be set up (1) or exec'd (2)), and its output is its
 *          stdout and stderr together.
 *
 * A malformed request is not answered: the supervisor dies (common.h), as the service never
 * sends one and a sandbox that received one cannot be trusted to be in a known state.
 */
#ifndef VERDICT_PROTOCOL_H
#define VERDICT_PROTOCOL_H

#include <stddef.h>
#include <sys/resource.h>

#define PROTO_VERSION 4
#define MAX_HEADER 4096

typedef struct {
  char *data; /* NUL-terminated after `len` bytes, so text blobs are C strings */
  size_t len;
} blob_t;

typedef struct {
  unsigned mode;
  blob_t path, content;
} file_request;

typedef struct {
  int compile; /* phase=compile, else phase=test */
  long long cpu_limit_us, wall_limit_us;
  /* Captured bytes of stdout and of stderr each; with kill_on_output, of both together. */
  size_t output_cap;
  int kill_on_output;
  rlim_t fsize_bytes, nofile, stack_bytes;
  size_t argc, envc;
  char **argv, **envp; /* NULL-terminated */
  blob_t input;
  /* A paired run (run.h): the trusted process's command, environment and stdin; argc 0 when unpaired. */
  size_t trusted_argc, trusted_envc;
  char **trusted_argv, **trusted_envp;
  blob_t trusted_input;
} run_request;

/* Why a run ended; spelled on the wire by reason_names in protocol.c (the service: killReasons). */
typedef enum { REASON_NONE, REASON_SETUP, REASON_EXEC, REASON_WALL, REASON_CPU, REASON_OUTPUT } run_reason;

typedef struct {
  int exit_code; /* -1 unless the program exited by itself */
  int signo;
  long long cpu_us, wall_us, rss_kb;
  long long oom_kills; /* -1: the kernel's counter is unreadable */
  run_reason reason;
  int exec_errno;
  long long box_bytes;
  blob_t out, err;
  int out_truncated, err_truncated;
  int paired;
  int trusted_exit, trusted_signal, trusted_failure;
  blob_t trusted_out;
  int trusted_out_truncated;
} run_result;

/* Returns 0 at a clean end of stream, 1 when a header line was read into `dst`. */
int read_header(char *dst, size_t cap);
/* key=value lookup in a header line (values have no spaces); 0 when absent or too long. */
int header_value(const char *header, const char *key, char *out, size_t cap);

file_request read_file_request(const char *header);
void free_file_request(file_request *r);
run_request read_run_request(const char *header);
void free_run_request(run_request *r);

void reply_hello(const char *cgroup, int oom_counter, int landlock);
void reply_ok(void);
__attribute__((format(printf, 1, 2))) void reply_error(const char *fmt, ...);
void reply_result(const run_result *r);

#endif
