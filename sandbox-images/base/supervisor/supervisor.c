/*
 * verdict-supervisor: PID 1 of every sandbox container.
 *
 * The service drives it over the container's attached stdin and reads framed
 * replies from its stdout; nothing else crosses the container boundary. It runs
 * as root inside the container (with a handful of capabilities) so that it can
 * write the program, drop candidate processes to an unprivileged uid, kill all
 * of them after every run and wipe what they wrote. Candidate processes never
 * see the supervisor's stdin/stdout, so they cannot forge a frame.
 *
 * Requests (every blob is "<decimal length>\n<bytes>"):
 *   FILE mode=<octal>            + blobs: path, content
 *   RUN  phase=compile|test cpu_ms= wall_ms= output_bytes= kill_on_output=0|1
 *        fsize_bytes= nofile= stack_bytes= argc= envc=
 *                                + blobs: argv[0..argc), env[0..envc), stdin
 *   RESET uid=<N>                  (OK, or ERR for a uid out of range)
 * Replies:
 *   HELLO proto=3 cgroup=v1|v2|none oom_counter=0|1 landlock=0|1
 *   OK | ERR + blob message
 *   RESULT exit= signal= cpu_us= wall_us= rss_kb= oom_kills= reason= exec_errno=
 *          box_bytes= stdout_len= stdout_truncated= stderr_len= stderr_truncated=
 *          followed by the captured stdout and stderr bytes; a RUN is answered
 *          by a RESULT as soon as every process of the run is dead, then by OK
 *          once scratch space is wiped and, after a test, what it created in
 *          the box (after a compile, the box is sealed instead).
 *          rss_kb is the peak memory of all the program's processes together
 *          (memory_watch), or of its largest process when that was higher.
 *
 * RESET hands the container to the next candidate: after it, nothing the
 * previous one started or wrote is left, and the box is as empty and
 * unsealed as in a fresh container.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <grp.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/socket.h>

#define PROTO_VERSION 3
/* The service picks a uid per sandbox (--uid), so per-user kernel limits (inotify
 * instances, message queue bytes) are not shared between concurrent sandboxes. */
#define DEFAULT_CANDIDATE_UID 10001
#define CANDIDATE_GID 10001
static uid_t candidate_uid = DEFAULT_CANDIDATE_UID;
#define BOX_DIR "/box"
#define MAX_HEADER 4096
#define MAX_BLOB (256u * 1024u * 1024u)
#define MAX_ARGS 4096
#define CPU_POLL_MS 10
/* The sum of all processes' memory is sampled; a spike shorter than this can pass unseen below the cgroup's limit. */
#define MEMORY_POLL_MS 10
/* How long a RESET waits for the kernel to collect unix sockets a dead candidate left in flight. */
#define UNIX_GC_WAIT_MS 500

static const char *const scratch_dirs[] = {"/tmp", "/dev/shm", "/dev/mqueue", NULL};

static int sigchld_pipe[2] = {-1, -1};
static int sealed = 0;
/* A compile hands /box itself to the candidate and sealing rewrites its mode:
 * RESET puts back what the container started with. */
static mode_t box_mode = 0755;

/* ---------- small I/O helpers on the control channel ---------- */

static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "verdict-supervisor: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
  exit(70);
}

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

static void reply(const char *fmt, ...) {
  char line[MAX_HEADER];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line - 1, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= sizeof line - 1) die("reply too long");
  line[n++] = '\n';
  write_all(STDOUT_FILENO, line, (size_t)n);
}

static void reply_error(const char *fmt, ...) {
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

/* Buffered reader over stdin: the request stream. */
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

/* Returns 0 at a clean end of stream, 1 when a line was read. */
static int read_line(char *dst, size_t cap) {
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

typedef struct {
  char *data;
  size_t len;
} blob_t;

static blob_t read_blob(void) {
  char line[32];
  if (!read_line(line, sizeof line)) die("control channel closed before a blob");
  char *end;
  errno = 0;
  unsigned long long len = strtoull(line, &end, 10);
  if (errno || *end || end == line || len > MAX_BLOB) die("bad blob length '%s'", line);
  blob_t b = {malloc(len + 1), (size_t)len};
  if (!b.data) die("out of memory for a %llu byte blob", len);
  read_exact(b.data, b.len);
  b.data[b.len] = '\0';
  return b;
}

/* key=value lookup in a header line (values have no spaces). */
static int header_value(const char *header, const char *key, char *out, size_t cap) {
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

static unsigned long long header_number(const char *header, const char *key, int base) {
  char v[32];
  if (!header_value(header, key, v, sizeof v)) die("request lacks %s", key);
  char *end;
  errno = 0;
  unsigned long long n = strtoull(v, &end, base);
  if (errno || *end || end == v) die("bad %s '%s'", key, v);
  return n;
}

/* ---------- cgroup counters: the kernel's own facts about this container ---------- */

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

static void detect_cgroup(void) {
  char buf[64];
  if (read_file("/sys/fs/cgroup/cpuacct/cpuacct.usage", buf, sizeof buf) == 0 ||
      read_file("/sys/fs/cgroup/cpu,cpuacct/cpuacct.usage", buf, sizeof buf) == 0)
    cgroup_mode = CG_V1;
  else if (keyed_counter("/sys/fs/cgroup/cpu.stat", "usage_usec") >= 0)
    cgroup_mode = CG_V2;
}

/* Container-wide CPU time in microseconds, or -1 when unreadable. */
static long long cgroup_cpu_us(void) {
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

/* How many times the kernel's OOM killer has fired in this container, or -1. */
static long long oom_kill_count(void) {
  switch (cgroup_mode) {
  case CG_V1:
    return keyed_counter("/sys/fs/cgroup/memory/memory.oom_control", "oom_kill");
  case CG_V2:
    return keyed_counter("/sys/fs/cgroup/memory.events", "oom_kill");
  default:
    return -1;
  }
}

/* ---------- memory: what all the program's processes hold together ---------- */

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

/*
 * The peak, over samples, of what the program held beyond what the container
 * held when it started. Counters that outlive a run (max_usage_in_bytes,
 * failcnt) are never read: this baseline is taken anew for every run, so one
 * candidate's memory is never charged to the next.
 */
typedef struct {
  long long baseline_bytes; /* -1: the cgroup cannot be read */
  long long peak_bytes;
} memory_watch;

static long long held_by_program(void) {
  long long held = cgroup_held_bytes();
  return held < 0 ? -1 : held - own_anon_bytes();
}

static memory_watch memory_watch_start(void) { return (memory_watch){held_by_program(), 0}; }

static void memory_watch_sample(memory_watch *w) {
  long long held = w->baseline_bytes < 0 ? -1 : held_by_program();
  if (held >= 0 && held - w->baseline_bytes > w->peak_bytes) w->peak_bytes = held - w->baseline_bytes;
}

/* ---------- file system: writing the program, sealing it, wiping scratch ---------- */

static int safe_relative_path(const char *p, size_t len) {
  if (len == 0 || len > 1024 || p[0] == '/' || strlen(p) != len) return 0;
  const char *seg = p;
  for (;;) {
    const char *slash = strchr(seg, '/');
    size_t n = slash ? (size_t)(slash - seg) : strlen(seg);
    if (n == 0 || (n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.')) return 0;
    if (!slash) return 1;
    seg = slash + 1;
  }
}

static int make_parents(char *path) {
  for (char *p = path + strlen(BOX_DIR) + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    int rc = mkdir(path, 0755);
    *p = '/';
    if (rc < 0 && errno != EEXIST) return -1;
  }
  return 0;
}

static void handle_file(const char *header) {
  unsigned mode = (unsigned)header_number(header, "mode", 8) & 0755;
  blob_t path = read_blob();
  blob_t content = read_blob();
  if (sealed) {
    reply_error("files cannot be added after the program was sealed");
  } else if (!safe_relative_path(path.data, path.len)) {
    reply_error("unsafe path");
  } else {
    char full[PATH_MAX];
    snprintf(full, sizeof full, "%s/%s", BOX_DIR, path.data);
    int fd = -1;
    if (make_parents(full) == 0)
      fd = open(full, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode | 0400);
    if (fd < 0) {
      reply_error("cannot create %s: %s", path.data, strerror(errno));
    } else {
      size_t off = 0;
      int ok = 1;
      while (off < content.len) {
        ssize_t n = write(fd, content.data + off, content.len - off);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) { ok = 0; break; }
        off += (size_t)n;
      }
      close(fd);
      if (ok) reply("OK");
      else reply_error("cannot write %s: %s", path.data, strerror(errno));
    }
  }
  free(path.data);
  free(content.data);
}

/*
 * Visits every entry below `root` depth first, by name relative to an open
 * directory: no full path is ever built and only one directory fd is held, so
 * neither a tree deeper than PATH_MAX nor one deeper than our fd limit stops
 * it. Going back up uses "..", which is safe because no candidate process is
 * alive to move directories around while this runs.
 *   remove: unlink everything (the root itself stays);
 *   otherwise: chown everything to `uid` and, for uid 0, seal the modes.
 * Each directory is listed exactly once: its other entries are handled as they
 * are read, its subdirectories' names are kept and visited after the listing
 * is closed. So the work is linear in the entries (restarting a listing after
 * every subdirectory removed made a /tmp of 100 000 directories take 10 s to
 * wipe, as each restart refills a whole getdents buffer), and the memory is the
 * names of the directories not yet visited (bounded by the mount's inodes).
 */
typedef struct {
  /* This directory's name in its parent: points into the parent's `pending`. */
  const char *name;
  /* The subdirectories' names, each NUL-terminated; `next` is the first not yet visited. */
  char *pending;
  size_t len, cap, next;
} walk_frame;

static mode_t sealed_mode(mode_t mode, int is_dir) {
  /* Readable and runnable by the candidate, writable by nobody but root. */
  mode_t m = (mode & 0755 & ~(mode_t)06000) | 0444;
  return is_dir ? m | 0111 : m;
}

static int fix_entry(int dirfd, const char *name, const struct stat *st, uid_t uid) {
  if (fchownat(dirfd, name, uid, uid, AT_SYMLINK_NOFOLLOW) < 0) return -1;
  if (uid == 0 && !S_ISLNK(st->st_mode) && fchmodat(dirfd, name, sealed_mode(st->st_mode & 07777, S_ISDIR(st->st_mode)), 0) < 0)
    return -1;
  return 0;
}

static int remember_name(walk_frame *f, const char *name) {
  size_t n = strlen(name) + 1;
  if (f->len + n > f->cap) {
    size_t cap = f->cap ? f->cap * 2 : 4096;
    while (cap < f->len + n) cap *= 2;
    char *grown = realloc(f->pending, cap);
    if (!grown) return -1;
    f->pending = grown;
    f->cap = cap;
  }
  memcpy(f->pending + f->len, name, n);
  f->len += n;
  return 0;
}

/* One pass over the directory open at `fd`: everything but subdirectories is done here. */
static int list_dir(int fd, walk_frame *f, int remove, uid_t uid) {
  int dup_fd = dup(fd);
  DIR *dir = dup_fd < 0 ? NULL : fdopendir(dup_fd);
  if (!dir) {
    if (dup_fd >= 0) close(dup_fd);
    return -1;
  }
  int rc = 0;
  struct dirent *e;
  while (rc == 0 && (e = readdir(dir)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    struct stat st;
    /* Removing needs only the type, which tmpfs reports in the listing; sealing needs the mode. */
    int is_dir = e->d_type == DT_DIR;
    if (!remove || e->d_type == DT_UNKNOWN) {
      if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) { rc = -1; break; }
      is_dir = S_ISDIR(st.st_mode);
    }
    if (!remove && fix_entry(fd, e->d_name, &st, uid) < 0) rc = -1;
    else if (is_dir) rc = remember_name(f, e->d_name);
    else if (remove && unlinkat(fd, e->d_name, 0) < 0) rc = -1;
  }
  closedir(dir);
  return rc;
}

static int walk_tree(const char *root, int remove, uid_t uid) {
  int fd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return -1;
  if (!remove) {
    struct stat st;
    if (fstat(fd, &st) < 0 || fchown(fd, uid, uid) < 0 ||
        (uid == 0 && fchmod(fd, sealed_mode(st.st_mode & 07777, 1)) < 0)) {
      close(fd);
      return -1;
    }
  }
  walk_frame *stack = calloc(64, sizeof *stack);
  size_t depth = 1, cap = 64;
  int rc = stack ? list_dir(fd, &stack[0], remove, uid) : -1;
  while (rc == 0) {
    walk_frame *top = &stack[depth - 1];
    if (top->next < top->len) {
      const char *name = top->pending + top->next;
      top->next += strlen(name) + 1;
      int child = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (child < 0) { rc = -1; break; }
      if (depth == cap) {
        walk_frame *grown = realloc(stack, 2 * cap * sizeof *stack);
        if (!grown) { close(child); rc = -1; break; }
        stack = grown;
        cap *= 2;
        top = &stack[depth - 1];
      }
      stack[depth++] = (walk_frame){.name = name};
      close(fd);
      fd = child;
      rc = list_dir(fd, &stack[depth - 1], remove, uid);
      continue;
    }
    if (depth == 1) break;
    int parent = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    close(fd);
    fd = parent;
    if (fd < 0 || (remove && unlinkat(fd, top->name, AT_REMOVEDIR) < 0)) rc = -1;
    free(top->pending);
    depth--;
  }
  if (stack)
    for (size_t i = 0; i < depth; i++) free(stack[i].pending);
  free(stack);
  if (fd >= 0) close(fd);
  return rc;
}

static int own_box(uid_t uid) { return walk_tree(BOX_DIR, 0, uid); }

/*
 * For the tests: root owns every given file, directory and compiled artifact, writable by
 * nobody else, and /box itself is sticky and writable by all. So a program may create files in
 * its working directory, as programs and their harnesses expect, but may not write, rename,
 * replace or remove what it was given (the sticky bit: only an entry's owner removes or renames
 * it), nor add to a given subdirectory. Everything it creates is owned by its uid, which is
 * what wipe_created removes after each test.
 */
static int seal_box(void) {
  if (own_box(0) < 0) return -1;
  int fd = open(BOX_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return -1;
  int rc = fchmod(fd, 01777);
  close(fd);
  return rc;
}

/*
 * After a test, with no candidate process alive: removes every entry of the sealed /box that
 * root does not own, that is whatever the test created (sealing made all else root's, and
 * without CAP_CHOWN a candidate cannot give a file to root; a hard link to a given file, which
 * would be root's, is refused by the kernel's protected_hardlinks). Only the top level can hold
 * such entries: a sealed subdirectory is root's and not writable by the candidate. One listing
 * of /box; the candidate's directories are emptied after it by walk_tree.
 */
static int wipe_created(void) {
  int fd = open(BOX_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return -1;
  int dup_fd = dup(fd);
  DIR *dir = dup_fd < 0 ? NULL : fdopendir(dup_fd);
  if (!dir) {
    if (dup_fd >= 0) close(dup_fd);
    close(fd);
    return -1;
  }
  walk_frame created = {0};
  int rc = 0;
  struct dirent *e;
  while (rc == 0 && (e = readdir(dir)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    struct stat st;
    if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) rc = -1;
    else if (st.st_uid == 0) continue;
    else if (S_ISDIR(st.st_mode)) rc = remember_name(&created, e->d_name);
    else if (unlinkat(fd, e->d_name, 0) < 0) rc = -1;
  }
  closedir(dir);
  for (size_t at = 0; rc == 0 && at < created.len; at += strlen(created.pending + at) + 1) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", BOX_DIR, created.pending + at);
    if (walk_tree(path, 1, 0) < 0 || unlinkat(fd, created.pending + at, AT_REMOVEDIR) < 0) rc = -1;
  }
  free(created.pending);
  close(fd);
  return rc;
}

/* Without a /box every FILE fails already; a RESET then dies on it. */
static void remember_box_mode(void) {
  struct stat st;
  if (lstat(BOX_DIR, &st) == 0 && S_ISDIR(st.st_mode)) box_mode = st.st_mode & 07777;
}

/* Empty, root-owned and with its first mode: the next FILE writes land as in a fresh container. */
static int empty_box(void) {
  if (walk_tree(BOX_DIR, 1, 0) < 0) return -1;
  int fd = open(BOX_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return -1;
  int rc = fchown(fd, 0, 0) < 0 || fchmod(fd, box_mode) < 0 ? -1 : 0;
  close(fd);
  return rc;
}

/* SysV IPC objects outlive their creators; only their owner (or CAP_SYS_ADMIN) may remove them. */
static void remove_ipc_as_candidate(void) {
  pid_t pid = fork();
  if (pid < 0) die("fork: %s", strerror(errno));
  if (pid == 0) {
    if (setgroups(0, NULL) < 0 || setgid(CANDIDATE_GID) < 0 || setuid(candidate_uid) < 0) _exit(1);
    static const char *const tables[] = {"/proc/sysvipc/shm", "/proc/sysvipc/msg", "/proc/sysvipc/sem"};
    for (int t = 0; t < 3; t++) {
      FILE *f = fopen(tables[t], "re");
      if (!f) continue;
      char line[512];
      int first = 1;
      while (fgets(line, sizeof line, f)) {
        if (first) { first = 0; continue; }
        long key, id;
        if (sscanf(line, "%ld %ld", &key, &id) != 2) continue;
        if (t == 0) shmctl((int)id, IPC_RMID, NULL);
        else if (t == 1) msgctl((int)id, IPC_RMID, NULL);
        else semctl((int)id, 0, IPC_RMID);
      }
      fclose(f);
    }
    _exit(0);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  /* IPC objects that could not be removed would reach the next run or candidate. */
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) die("cannot remove the candidate's IPC objects (status %d)", status);
}

/* All candidate processes are dead when this runs, so nothing races the walk. */
static void wipe_scratch(void) {
  for (const char *const *dir = scratch_dirs; *dir; dir++) {
    struct stat st;
    if (lstat(*dir, &st) < 0 || !S_ISDIR(st.st_mode)) continue;
    if (walk_tree(*dir, 1, 0) < 0) die("cannot wipe %s: %s", *dir, strerror(errno));
  }
  remove_ipc_as_candidate();
}

/* Bytes the program directory holds: it stays for every test, so the service accounts for it. */
static long long box_bytes(void) {
  struct statfs sf;
  if (statfs(BOX_DIR, &sf) < 0) return 0;
  return (long long)(sf.f_blocks - sf.f_bfree) * (long long)sf.f_bsize;
}

/* ---------- processes ---------- */

static void on_sigchld(int sig) {
  (void)sig;
  int saved = errno;
  char b = 0;
  ssize_t ignored = write(sigchld_pipe[1], &b, 1);
  (void)ignored;
  errno = saved;
}

static long long now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static long long tv_us(struct timeval tv) { return (long long)tv.tv_sec * 1000000LL + tv.tv_usec; }

typedef struct {
  pid_t main_pid;
  int main_done;
  int main_status;
  long long main_end_us;
  long long cpu_us;
  long long rss_kb;
} reap_state;

static void account(reap_state *st, pid_t pid, int status, const struct rusage *ru) {
  st->cpu_us += tv_us(ru->ru_utime) + tv_us(ru->ru_stime);
  if (ru->ru_maxrss > st->rss_kb) st->rss_kb = ru->ru_maxrss;
  if (pid == st->main_pid) {
    st->main_done = 1;
    st->main_status = status;
    st->main_end_us = now_us();
  }
}

/* Reap whatever has exited; returns 1 once no child is left at all. */
static int reap_ready(reap_state *st) {
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
static void kill_everything(reap_state *st) {
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

/* Only ever lowers a limit: raising past the container's hard limit would need privileges. */
static int set_limit(int resource, rlim_t soft, rlim_t hard) {
  struct rlimit cur;
  if (getrlimit(resource, &cur) < 0) return -1;
  if (cur.rlim_max != RLIM_INFINITY && hard > cur.rlim_max) hard = cur.rlim_max;
  if (soft > hard) soft = hard;
  struct rlimit rl = {soft, hard};
  return setrlimit(resource, &rl);
}

static const char *env_lookup(char **envp, const char *key) {
  size_t klen = strlen(key);
  for (char **e = envp; *e; e++)
    if (strncmp(*e, key, klen) == 0 && (*e)[klen] == '=') return *e + klen + 1;
  return NULL;
}

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

/* ---------- sockets: only AF_UNIX for the candidate ---------- */

#if defined(__x86_64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_AARCH64
#else
#error "the socket filter knows the system call numbers of x86_64 and aarch64 only"
#endif

/*
 * Installed in the candidate's process just before exec, inherited by all it
 * starts. Loopback TCP and UDP buffers are kernel memory that cgroup v1 never
 * charges to the container (320 MiB held under a 64 MiB limit went unseen),
 * and their sockets (TIME_WAIT, listeners) outlive the processes into the next
 * candidate's run; netlink buffers are not charged either. AF_UNIX buffers are
 * charged, and its sockets die with their processes, so socket() and
 * socketpair() fail with EACCES for every family but AF_UNIX. io_uring can
 * create sockets without socket(): it does not exist (ENOSYS). A system call
 * through another ABI (i386's int 0x80 and its socketcall, x32's numbers) would
 * bypass the numbers checked here: it kills the process.
 */
static int install_socket_filter(void) {
  struct sock_filter code[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_AUDIT_ARCH, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
#if defined(__x86_64__)
    BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, __X32_SYSCALL_BIT, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
#endif
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 1, 0),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socketpair, 0, 3),
    /* The family is an int: the low half of the first argument on these little-endian ABIs. */
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_UNIX, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EACCES),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = {(unsigned short)(sizeof code / sizeof code[0]), code};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return -1;
  return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

/* ---------- cgroup counters: unreadable by the candidate ---------- */

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

/* ENOSYS or EOPNOTSUPP (gVisor, a kernel without it): the HELLO says so and the service never reuses the sandbox. */
static int landlock_abi(void) {
  long abi = syscall(__NR_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);
  return abi > 0 ? (int)abi : 0;
}

static int landlock_available(void) { return landlock_abi() > 0; }

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

/*
 * The container's cgroup files are mounted read-only, readable by the candidate, and many are
 * cumulative (memory.max_usage_in_bytes, memory.failcnt, memory.stat, cpuacct.usage, cpu.stat,
 * pids.events, blkio.*, memory.peak, memory.events): one candidate sets them, the next in a
 * reused sandbox reads them, and without CAP_SYS_ADMIN they can be neither reset nor hidden by a
 * mount. Landlock, in the candidate's process just before exec and inherited by all it starts,
 * lets files be read everywhere but under /sys/fs/cgroup, where only the limit files are.
 * Needs no_new_privs (install_socket_filter sets it). Only reading is handled (and REFER, granted with it, so links and renames between directories stay as they were): exec, writes and
 * path walks (stat, chdir) stay as they were, and listing /sys/fs/cgroup shows only names.
 */
static int hide_cgroup_counters(void) {
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

static void handle_run(const char *header) {
  char phase[16];
  if (!header_value(header, "phase", phase, sizeof phase)) die("RUN lacks phase");
  int compile = strcmp(phase, "compile") == 0;
  if (!compile && strcmp(phase, "test") != 0) die("unknown phase %s", phase);
  long long cpu_limit_us = (long long)header_number(header, "cpu_ms", 10) * 1000;
  long long wall_limit_us = (long long)header_number(header, "wall_ms", 10) * 1000;
  size_t output_cap = (size_t)header_number(header, "output_bytes", 10);
  int kill_on_output = (int)header_number(header, "kill_on_output", 10);
  rlim_t fsize = (rlim_t)header_number(header, "fsize_bytes", 10);
  rlim_t nofile = (rlim_t)header_number(header, "nofile", 10);
  rlim_t stack = (rlim_t)header_number(header, "stack_bytes", 10);
  size_t argc = (size_t)header_number(header, "argc", 10);
  size_t envc = (size_t)header_number(header, "envc", 10);
  if (argc == 0 || argc > MAX_ARGS || envc > MAX_ARGS) die("bad argc/envc");
  if (output_cap > MAX_BLOB) die("output cap too large");

  char **argv = calloc(argc + 1, sizeof *argv);
  char **envp = calloc(envc + 1, sizeof *envp);
  for (size_t i = 0; i < argc; i++) argv[i] = read_blob().data;
  for (size_t i = 0; i < envc; i++) envp[i] = read_blob().data;
  blob_t input = read_blob();

  if (compile && sealed) die("compile after seal");
  if (compile && own_box(candidate_uid) < 0) die("cannot hand %s to the candidate: %s", BOX_DIR, strerror(errno));
  if (!compile && !sealed) {
    if (seal_box() < 0) die("cannot seal %s: %s", BOX_DIR, strerror(errno));
    sealed = 1;
  }

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
  if (pid == 0) {
    signal(SIGPIPE, SIG_DFL);
    signal(SIGCHLD, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    setsid();
    dup2(in_pipe[0], STDIN_FILENO);
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(err_pipe[1], STDERR_FILENO);
    /* Reopening stdio by name (/dev/stdin, /proc/self/fd/0) checks the pipe's owner:
     * give the candidate its own pipes. A failure only keeps that idiom unavailable. */
    for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
      int ignored = fchown(fd, candidate_uid, CANDIDATE_GID);
      (void)ignored;
    }
    /* Everything else is close-on-exec except what we opened with plain pipe/open. */
    for (int fd = 3; fd < 1024; fd++)
      if (fd != exec_pipe[1]) close(fd);
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
    rlim_t cpu_s = (rlim_t)((cpu_limit_us + 999999) / 1000000) + 1;
    int failure[2] = {0, 0};
    if (set_limit(RLIMIT_CPU, cpu_s, cpu_s + 1) < 0 || set_limit(RLIMIT_FSIZE, fsize, fsize) < 0 ||
        set_limit(RLIMIT_NOFILE, nofile, nofile) < 0 || set_limit(RLIMIT_CORE, 0, 0) < 0 ||
        set_limit(RLIMIT_STACK, stack, stack) < 0 || chdir(BOX_DIR) < 0 || setgroups(0, NULL) < 0 ||
        setgid(CANDIDATE_GID) < 0 || setuid(candidate_uid) < 0 || install_socket_filter() < 0 || hide_cgroup_counters() < 0) {
      failure[0] = 1;
    } else {
      umask(022);
      exec_candidate(argv, envp);
      failure[0] = 2;
    }
    failure[1] = errno;
    ssize_t ignored = write(exec_pipe[1], failure, sizeof failure);
    (void)ignored;
    _exit(127);
  }
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
  if (input.len == 0 || failure[0]) {
    close(in_fd);
    in_fd = -1;
  }

  capture_t out = {malloc(output_cap + 1), 0, output_cap, 0};
  capture_t err = {malloc(output_cap + 1), 0, output_cap, 0};
  const char *reason = failure[0] == 1 ? "setup" : failure[0] == 2 ? "exec" : "none";
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
    if (!killed && elapsed > wall_limit_us) {
      reason = "wall";
      kill_everything(&st);
      killed = 1;
    }
    if (!killed && cg_cpu_before >= 0 && elapsed - last_cpu_check >= CPU_POLL_MS * 1000LL) {
      last_cpu_check = elapsed;
      long long used = cgroup_cpu_us() - cg_cpu_before;
      if (used > cpu_limit_us) {
        reason = "cpu";
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
    fds[nfds] = (struct pollfd){sigchld_pipe[0], POLLIN, 0};
    nfds++;
    if (out_open) { i_out = nfds; fds[nfds++] = (struct pollfd){out_pipe[0], POLLIN, 0}; }
    if (err_open) { i_err = nfds; fds[nfds++] = (struct pollfd){err_pipe[0], POLLIN, 0}; }
    if (in_fd >= 0) { i_in = nfds; fds[nfds++] = (struct pollfd){in_fd, POLLOUT, 0}; }
    long long wall_left_ms = (wall_limit_us - elapsed) / 1000 + 1;
    int timeout = killed ? 100 : (int)(wall_left_ms < CPU_POLL_MS ? wall_left_ms : CPU_POLL_MS);
    if (timeout < 1) timeout = 1;
    int rc = poll(fds, (nfds_t)nfds, timeout);
    if (rc < 0 && errno != EINTR) die("poll: %s", strerror(errno));
    if (rc > 0 && fds[0].revents) {
      while (read(sigchld_pipe[0], buf, sizeof buf) > 0) {
      }
    }
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
        if (kill_on_output && !killed && out.seen + err.seen > output_cap) {
          reason = "output";
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
        ssize_t n = write(in_fd, input.data + in_off, input.len - in_off);
        if (n > 0) in_off += (size_t)n;
        if ((n < 0 && errno != EAGAIN && errno != EINTR) || in_off == input.len) {
          close(in_fd);
          in_fd = -1;
        }
      }
    }
  }
  if (in_fd >= 0) close(in_fd);
  if (!killed) kill_everything(&st);
  long long wall_us = (st.main_end_us ? st.main_end_us : now_us()) - start;
  /* The limit was enforced on the container's counter: report what it counted,
   * so a time-limit verdict never shows less CPU than the limit. */
  if (cg_cpu_before >= 0) {
    long long cg_used = cgroup_cpu_us() - cg_cpu_before;
    if (cg_used > st.cpu_us) st.cpu_us = cg_used;
  }
  /* One process's high-water mark can exceed the samples (a spike between two); else the sum decides. */
  if (memory.peak_bytes / 1024 > st.rss_kb) st.rss_kb = memory.peak_bytes / 1024;
  long long oom_after = oom_kill_count();
  long long oom_kills = (oom_before >= 0 && oom_after >= 0) ? oom_after - oom_before : -1;

  int exit_code = -1, signo = 0;
  if (WIFEXITED(st.main_status)) exit_code = WEXITSTATUS(st.main_status);
  else if (WIFSIGNALED(st.main_status)) signo = WTERMSIG(st.main_status);
  if (failure[0]) exit_code = -1;

  reply("RESULT exit=%d signal=%d cpu_us=%lld wall_us=%lld rss_kb=%lld oom_kills=%lld reason=%s "
        "exec_errno=%d box_bytes=%lld stdout_len=%zu stdout_truncated=%d stderr_len=%zu stderr_truncated=%d",
        exit_code, signo, st.cpu_us, wall_us, st.rss_kb, oom_kills, reason, exec_errno, box_bytes(), out.len,
        out.seen > out.len, err.len, err.seen > err.len);
  write_all(STDOUT_FILENO, out.data, out.len);
  write_all(STDOUT_FILENO, err.data, err.len);

  free(out.data);
  free(err.data);

  /* The run is over and reported first: what it left behind, however much, can then only cost
   * this sandbox (the service retires one that does not answer OK in time), never the run's result. */
  wipe_scratch();
  if (compile) {
    if (seal_box() < 0) die("cannot seal %s: %s", BOX_DIR, strerror(errno));
    sealed = 1;
  } else if (wipe_created() < 0) {
    /* What this test wrote in /box must never reach the next test: the service discards us. */
    die("cannot wipe what the test created in %s: %s", BOX_DIR, strerror(errno));
  }
  reply("OK");

  for (size_t i = 0; i < argc; i++) free(argv[i]);
  for (size_t i = 0; i < envc; i++) free(envp[i]);
  free(argv);
  free(envp);
  free(input.data);
}

/* ---------- network namespace: what crosses from one candidate to the next ---------- */

/* Whether the namespace holds any unix socket: we hold none between requests. Unreadable counts as yes. */
static int unix_sockets_left(void) {
  FILE *f = fopen("/proc/net/unix", "re");
  if (!f) return 1;
  char line[512];
  int lines = 0;
  while (lines < 2 && fgets(line, sizeof line, f)) lines++;
  fclose(f);
  return lines > 1;
}

/*
 * The candidate had only unix sockets (install_socket_filter), and those die
 * with their processes, except a cycle whose only references are in flight
 * (SCM_RIGHTS) in each other's queues: the kernel's collector frees it after
 * some unix socket closes, asynchronously. Until then a listening abstract
 * socket in the cycle takes connections, and its name, listed in
 * /proc/net/unix, carries whatever the previous candidate wrote into it.
 */
static void collect_unix_sockets(void) {
  for (int waited_ms = 0; waited_ms < UNIX_GC_WAIT_MS && unix_sockets_left(); waited_ms++) {
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0) {
      close(pair[0]);
      close(pair[1]);
    }
    usleep(1000);
  }
  if (unix_sockets_left()) die("unix sockets outlived the previous candidate");
}

/* Below 1000 lie root and the image's system users; the top keeps the uid a
 * positive int and far from (uid_t)-1, which setuid-family calls read as "unchanged". */
static int parse_uid(const char *text, uid_t *out) {
  char *end;
  errno = 0;
  unsigned long long uid = strtoull(text, &end, 10);
  if (text[0] < '0' || text[0] > '9' || errno || *end || uid < 1000 || uid > 2147483647ULL) return 0;
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
  wipe_scratch();
  sealed = 0;
  candidate_uid = uid;
  reply("OK");
}

int main(int argc, char **argv) {
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--uid") != 0) die("unknown argument %s", argv[i]);
    if (!parse_uid(argv[i + 1], &candidate_uid)) die("bad --uid %s", argv[i + 1]);
  }
  signal(SIGPIPE, SIG_IGN);
  if (getpid() != 1) prctl(PR_SET_CHILD_SUBREAPER, 1);
  if (pipe2(sigchld_pipe, O_CLOEXEC | O_NONBLOCK) < 0) die("pipe: %s", strerror(errno));
  struct sigaction sa = {0};
  sa.sa_handler = on_sigchld;
  sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
  sigaction(SIGCHLD, &sa, NULL);
  detect_cgroup();
  remember_box_mode();
  wipe_scratch();

  const char *cg = cgroup_mode == CG_V1 ? "v1" : cgroup_mode == CG_V2 ? "v2" : "none";
  reply("HELLO proto=%d cgroup=%s oom_counter=%d landlock=%d", PROTO_VERSION, cg, oom_kill_count() >= 0, landlock_available());

  char header[MAX_HEADER];
  while (read_line(header, sizeof header)) {
    if (strncmp(header, "FILE ", 5) == 0) handle_file(header);
    else if (strncmp(header, "RUN ", 4) == 0) handle_run(header);
    else if (strncmp(header, "RESET ", 6) == 0) handle_reset(header);
    else die("unknown request '%.40s'", header);
  }
  return 0;
}
