#define _GNU_SOURCE
#include "protocol.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

#define MAX_BLOB (256u * 1024u * 1024u)
#define MAX_ARGS 4096

static const char *const reason_names[] = {
  [REASON_NONE] = "none", [REASON_SETUP] = "setup", [REASON_EXEC] = "exec",
  [REASON_WALL] = "wall", [REASON_CPU] = "cpu",     [REASON_OUTPUT] = "output",
};

/* ---------- replies ---------- */

static void write_all(int fd, const void *buf, size_t len) {
  const char *p = buf;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("write to control channel failed: %s", strerror(errno));
    }
    p += n;
    len -= (size_t)n;
  }
}

__attribute__((format(printf, 1, 2))) static void reply(const char *fmt, ...) {
  char line[MAX_HEADER];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line - 1, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= sizeof line - 1) die("reply too long");
  line[n++] = '\n';
  write_all(STDOUT_FILENO, line, (size_t)n);
}

void reply_hello(const char *cgroup, int oom_counter, int landlock) {
  reply("HELLO proto=%d cgroup=%s oom_counter=%d landlock=%d", PROTO_VERSION, cgroup, oom_counter, landlock);
}

void reply_ok(void) { reply("OK"); }

void reply_error(const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  if ((size_t)n >= sizeof msg) n = sizeof msg - 1;
  reply("ERR\n%d", n);
  write_all(STDOUT_FILENO, msg, (size_t)n);
}

void reply_result(const run_result *r) {
  reply("RESULT exit=%d signal=%d cpu_us=%lld wall_us=%lld rss_kb=%lld oom_kills=%lld reason=%s "
        "exec_errno=%d box_bytes=%lld stdout_len=%zu stdout_truncated=%d stderr_len=%zu stderr_truncated=%d "
        "trusted=%d trusted_exit=%d trusted_signal=%d trusted_failure=%d trusted_len=%zu trusted_truncated=%d",
        r->exit_code, r->signo, r->cpu_us, r->wall_us, r->rss_kb, r->oom_kills, reason_names[r->reason], r->exec_errno,
        r->box_bytes, r->out.len, r->out_truncated, r->err.len, r->err_truncated, r->paired, r->trusted_exit,
        r->trusted_signal, r->trusted_failure, r->trusted_out.len, r->trusted_out_truncated);
  write_all(STDOUT_FILENO, r->out.data, r->out.len);
  write_all(STDOUT_FILENO, r->err.data, r->err.len);
  write_all(STDOUT_FILENO, r->trusted_out.data, r->trusted_out.len);
}

/* ---------- requests: a buffered reader over stdin ---------- */

static char inbuf[65536];
static size_t in_pos = 0, in_len = 0;

static int read_byte(void) {
  if (in_pos == in_len) {
    ssize_t n;
    do n = read(STDIN_FILENO, inbuf, sizeof inbuf);
    while (n < 0 && errno == EINTR);
    if (n <= 0) return -1;
    in_pos = 0;
    in_len = (size_t)n;
  }
  return (unsigned char)inbuf[in_pos++];
}

static void read_exact(char *dst, size_t len) {
  while (len > 0) {
    if (in_pos < in_len) {
      size_t take = in_len - in_pos < len ? in_len - in_pos : len;
      memcpy(dst, inbuf + in_pos, take);
      in_pos += take;
      dst += take;
      len -= take;
      continue;
    }
    ssize_t n = read(STDIN_FILENO, dst, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) die("control channel closed inside a blob");
    dst += n;
    len -= (size_t)n;
  }
}

int read_header(char *dst, size_t cap) {
  size_t n = 0;
  for (;;) {
    int c = read_byte();
    if (c < 0) {
      if (n == 0) return 0;
      die("control channel closed inside a header");
    }
    if (c == '\n') break;
    if (n + 1 >= cap) die("header line too long");
    dst[n++] = (char)c;
  }
  dst[n] = '\0';
  return 1;
}

static blob_t read_blob(void) {
  char line[32];
  if (!read_header(line, sizeof line)) die("control channel closed before a blob");
  char *end;
  errno = 0;
  unsigned long long len = strtoull(line, &end, 10);
  if (errno || *end || end == line || len > MAX_BLOB) die("bad blob length '%s'", line);
  blob_t b = {xmalloc(len + 1), (size_t)len};
  read_exact(b.data, b.len);
  b.data[b.len] = '\0';
  return b;
}

int header_value(const char *header, const char *key, char *out, size_t cap) {
  size_t klen = strlen(key);
  const char *p = header;
  while ((p = strstr(p, key)) != NULL) {
    if ((p == header || p[-1] == ' ') && p[klen] == '=') {
      p += klen + 1;
      size_t n = strcspn(p, " ");
      if (n >= cap) return 0;
      memcpy(out, p, n);
      out[n] = '\0';
      return 1;
    }
    p += klen;
  }
  return 0;
}

static unsigned long long header_number_or(const char *header, const char *key, int base, unsigned long long absent) {
  char v[32];
  if (!header_value(header, key, v, sizeof v)) return absent;
  char *end;
  errno = 0;
  unsigned long long n = strtoull(v, &end, base);
  if (errno || *end || end == v) die("bad %s '%s'", key, v);
  return n;
}

static unsigned long long header_number(const char *header, const char *key, int base) {
  char v[32];
  if (!header_value(header, key, v, sizeof v)) die("request lacks %s", key);
  char *end;
  errno = 0;
  unsigned long long n = strtoull(v, &end, base);
  if (errno || *end || end == v) die("bad %s '%s'", key, v);
  return n;
}

file_request read_file_request(const char *header) {
  file_request r;
  r.mode = (unsigned)header_number(header, "mode", 8) & 0755;
  r.path = read_blob();
  r.content = read_blob();
  return r;
}

void free_file_request(file_request *r) {
  free(r->path.data);
  free(r->content.data);
}

run_request read_run_request(const char *header) {
  run_request r;
  char phase[16];
  if (!header_value(header, "phase", phase, sizeof phase)) die("RUN lacks phase");
  r.compile = strcmp(phase, "compile") == 0;
  if (!r.compile && strcmp(phase, "test") != 0) die("unknown phase %s", phase);
  r.cpu_limit_us = (long long)header_number(header, "cpu_ms", 10) * 1000;
  r.wall_limit_us = (long long)header_number(header, "wall_ms", 10) * 1000;
  r.output_cap = (size_t)header_number(header, "output_bytes", 10);
  r.kill_on_output = (int)header_number(header, "kill_on_output", 10);
  r.fsize_bytes = (rlim_t)header_number(header, "fsize_bytes", 10);
  r.nofile = (rlim_t)header_number(header, "nofile", 10);
  r.stack_bytes = (rlim_t)header_number(header, "stack_bytes", 10);
  r.argc = (size_t)header_number(header, "argc", 10);
  r.envc = (size_t)header_number(header, "envc", 10);
  if (r.argc == 0 || r.argc > MAX_ARGS || r.envc > MAX_ARGS) die("bad argc/envc");
  if (r.output_cap > MAX_BLOB) die("output cap too large");
  r.argv = xcalloc(r.argc + 1, sizeof *r.argv);
  r.envp = xcalloc(r.envc + 1, sizeof *r.envp);
  for (size_t i = 0; i < r.argc; i++) r.argv[i] = read_blob().data;
  for (size_t i = 0; i < r.envc; i++) r.envp[i] = read_blob().data;
  r.input = read_blob();
  r.trusted_argc = (size_t)header_number_or(header, "trusted_argc", 10, 0);
  r.trusted_envc = (size_t)header_number_or(header, "trusted_envc", 10, 0);
  if (r.trusted_argc > MAX_ARGS || r.trusted_envc > MAX_ARGS || (r.trusted_argc == 0 && r.trusted_envc > 0)) die("bad trusted_argc/envc");
  if (r.trusted_argc > 0 && r.compile) die("a compile is never paired");
  r.trusted_argv = xcalloc(r.trusted_argc + 1, sizeof *r.trusted_argv);
  r.trusted_envp = xcalloc(r.trusted_envc + 1, sizeof *r.trusted_envp);
  for (size_t i = 0; i < r.trusted_argc; i++) r.trusted_argv[i] = read_blob().data;
  for (size_t i = 0; i < r.trusted_envc; i++) r.trusted_envp[i] = read_blob().data;
  r.trusted_input = r.trusted_argc > 0 ? read_blob() : (blob_t){xcalloc(1, 1), 0};
  return r;
}

void free_run_request(run_request *r) {
  for (size_t i = 0; i < r->argc; i++) free(r->argv[i]);
  for (size_t i = 0; i < r->envc; i++) free(r->envp[i]);
  free(r->argv);
  free(r->envp);
  free(r->input.data);
  for (size_t i = 0; i < r->trusted_argc; i++) free(r->trusted_argv[i]);
  for (size_t i = 0; i < r->trusted_envc; i++) free(r->trusted_envp[i]);
  free(r->trusted_argv);
  free(r->trusted_envp);
  free(r->trusted_input.data);
}
