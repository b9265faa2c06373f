/** Looking for what a program must not see: the host, other sandboxes, other submissions, the expected outputs. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { roomy, type HostileCase } from './types.js';

/**
 * The expected output is a long random string behind a marker. The program
 * builds the marker at run time (shifted by one in its source, so neither its
 * source nor its binary holds it) and searches every readable file for it: if
 * the service ever put an expected output inside the sandbox, the program would
 * print it and be accepted.
 */
const MARKER = 'hostile-expected-';
const expectedOutputs = [1, 2].map(() => `${MARKER}${randomBytes(32).toString('hex')}\n`);
const shifted = [...MARKER].map((ch) => String.fromCharCode(ch.charCodeAt(0) + 1)).join('');

const searchExpected = `
#define _GNU_SOURCE
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;
static char marker[64];
static size_t mlen;
static int found;
static char *buf;
#define CAP (32 << 20)

static void report(const char *where, const char *hit, size_t left) {
  size_t n = left < 200 ? left : 200;
  printf("found in %s: %.*s\\n", where, (int)n, hit);
  found++;
}

static void search(const char *where, const char *data, size_t len) {
  const char *hit = memmem(data, len, marker, mlen);
  if (hit) report(where, hit, len - (size_t)(hit - data));
}

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw) {
  (void)ftw;
  if (type == FTW_D && (!strcmp(path, "/proc") || !strcmp(path, "/sys") || (!strncmp(path, "/dev", 4) && strncmp(path, "/dev/shm", 8) && strcmp(path, "/dev"))))
    return FTW_SKIP_SUBTREE;
  if (type != FTW_F || !S_ISREG(st->st_mode) || st->st_size > CAP || found > 10) return FTW_CONTINUE;
  int fd = open(path, O_RDONLY | O_NONBLOCK);
  if (fd < 0) return FTW_CONTINUE;
  ssize_t n = read(fd, buf, CAP);
  close(fd);
  if (n > 0) search(path, buf, (size_t)n);
  return FTW_CONTINUE;
}

int main(int argc, char **argv) {
  const char *shifted = "${shifted}";
  for (mlen = 0; shifted[mlen]; mlen++) marker[mlen] = (char)(shifted[mlen] - 1);
  buf = malloc(CAP);
  for (int i = 0; i < argc; i++) search("argv", argv[i], strlen(argv[i]));
  for (char **e = environ; *e; e++) search("environ", *e, strlen(*e));
  ssize_t n = read(0, buf, CAP);
  if (n > 0) search("stdin", buf, (size_t)n);
  nftw("/", visit, 64, FTW_PHYS | FTW_ACTIONRETVAL);
  /* Our own process is skipped above (the marker is in our memory); our ancestors' and the supervisor's are not. */
  const char *own[] = {"/proc/1/environ", "/proc/1/cmdline", "/proc/self/environ", "/proc/self/cmdline", 0};
  for (int i = 0; own[i]; i++) {
    int fd = open(own[i], O_RDONLY);
    if (fd < 0) continue;
    n = read(fd, buf, CAP);
    close(fd);
    if (n > 0) search(own[i], buf, (size_t)n);
  }
  if (!found) puts("nothing found");
  return 0;
}
`;

const crossSecret = `cross-submission-secret-${randomBytes(16).toString('hex')}`;

export const cases: HostileCase[] = [
  {
    name: 'environment variables (python): nothing but the language env',
    category: 'information',
    language: 'python',
    source: 'import os\nprint(" ".join(sorted(os.environ)))\nprint(os.environ["HOME"], os.environ["PATH"])\n',
    tests: [
      {
        expectedStdout:
          'HOME LANG LC_ALL OMP_NUM_THREADS OPENBLAS_NUM_THREADS PATH PYTHONDONTWRITEBYTECODE PYTHONHASHSEED PYTHONIOENCODING TMPDIR\n/tmp /usr/local/bin:/usr/bin:/bin\n',
      },
    ],
    limits: roomy,
    expect: 'accepted',
  },
  {
    name: 'environment variables (c): environ holds only the base env',
    category: 'information',
    language: 'c',
    source: [
      '#include <stdio.h>',
      '#include <stdlib.h>',
      '#include <string.h>',
      'extern char **environ;',
      'static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }',
      'int main(void) {',
      '  int n = 0;',
      '  while (environ[n]) n++;',
      '  qsort(environ, n, sizeof *environ, cmp);',
      '  for (int i = 0; i < n; i++) puts(environ[i]);',
      '  return 0;',
      '}',
    ].join('\n'),
    tests: [{ expectedStdout: 'HOME=/tmp\nLANG=C.UTF-8\nLC_ALL=C.UTF-8\nPATH=/usr/local/bin:/usr/bin:/bin\nTMPDIR=/tmp\n' }],
    limits: roomy,
    expect: 'accepted',
  },
  {
    name: "host files: /etc/shadow unreadable, /etc/hostname is the container's, no Docker socket (python)",
    category: 'information',
    language: 'python',
    source: [
      'import errno, json, os, socket',
      'def attempt(f):',
      '    try:',
      '        f()',
      '        return "allowed"',
      '    except OSError as e:',
      '        return errno.errorcode[e.errno]',
      'print(json.dumps({',
      '    "shadow": attempt(lambda: open("/etc/shadow").read()),',
      '    "root": attempt(lambda: os.listdir("/root")),',
      '    "hostname": open("/etc/hostname").read().strip(),',
      '    "gethostname": socket.gethostname(),',
      '    "sockets": [p for p in ("/var/run/docker.sock", "/run/docker.sock", "/run/containerd/containerd.sock") if os.path.exists(p)],',
      '    "kcore": attempt(lambda: open("/proc/kcore", "rb").read(1)),',
      '}))',
    ].join('\n'),
    limits: roomy,
    expect: 'accepted',
    check: (r) => {
      const seen = JSON.parse(r.tests[0]!.stdout) as Record<string, unknown>;
      assert.equal(seen.shadow, 'EACCES');
      assert.equal(seen.root, 'EACCES');
      assert.deepEqual(seen.sockets, []);
      assert.notEqual(seen.kcore, 'allowed');
      assert.equal(seen.hostname, seen.gethostname);
      assert.match(String(seen.hostname), /^[0-9a-f]{12}$/, 'the container id, not a host name');
      assert.notEqual(seen.hostname, hostname());
    },
  },
  {
    name: '/proc: no other process visible, PID 1 belongs to root and is closed to the candidate (python)',
    category: 'information',
    language: 'python',
    source: [
      'import errno, os',
      'def attempt(f):',
      '    try:',
      '        f()',
      '        return "allowed"',
      '    except OSError as e:',
      '        return errno.errorcode[e.errno]',
      'pids = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())',
      'print(pids == [1, os.getpid()], os.stat("/proc/1").st_uid)',
      'print(attempt(lambda: open("/proc/1/environ").read()), attempt(lambda: os.listdir("/proc/1/root")),',
      '      attempt(lambda: os.readlink("/proc/1/cwd")), attempt(lambda: open("/proc/1/maps").read()),',
      '      attempt(lambda: open("/proc/1/mem", "rb")))',
    ].join('\n'),
    tests: [{ expectedStdout: 'True 0\nEACCES EACCES EACCES EACCES EACCES\n' }],
    limits: roomy,
    expect: 'accepted',
  },
  {
    name: "cgroup files are read-only: the program cannot raise its own limits (c)",
    category: 'information',
    language: 'c',
    source: [
      '#define _GNU_SOURCE',
      '#include <errno.h>',
      '#include <fcntl.h>',
      '#include <stdio.h>',
      '#include <string.h>',
      '/* EROFS or EACCES, depending on which check the kernel makes first: both refuse. */',
      'static const char *attempt(const char *path) { int fd = open(path, O_WRONLY); return fd >= 0 ? "allowed" : errno == EROFS || errno == EACCES ? "refused" : strerrorname_np(errno); }',
      'int main(void) {',
      '  printf("%s %s %s\\n", attempt("/sys/fs/cgroup/pids/pids.max"), attempt("/sys/fs/cgroup/memory/memory.limit_in_bytes"),',
      '         attempt("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"));',
      '  return 0;',
      '}',
    ].join('\n'),
    tests: [{ expectedStdout: 'refused refused refused\n' }],
    limits: roomy,
    expect: 'accepted',
  },
  {
    name: "another submission's files: a concurrent submission's secret in /tmp and /dev/shm is not found",
    category: 'information',
    language: 'python',
    source: [
      'import json, os, time',
      '# The secret is assembled here so that this file does not contain it.',
      'needle = ("cross-submission-" + "secret-").encode()',
      'started = time.time()',
      'found = []',
      'roots = ["/tmp", "/dev/shm", "/box", "/run", "/var", "/etc", "/home", "/root", "/opt", "/srv", "/mnt"]',
      'for root in roots:',
      '    for d, dirs, files in os.walk(root):',
      '        for name in files:',
      '            p = os.path.join(d, name)',
      '            try:',
      '                if os.path.isfile(p) and needle in open(p, "rb").read(16 << 20):',
      '                    found.append(p)',
      '            except OSError:',
      '                pass',
      'print(json.dumps({"started": started, "ended": time.time(), "found": found}))',
    ].join('\n'),
    limits: { timeMs: 5000, wallTimeMs: 10000 },
    expect: 'accepted',
    why: 'each submission has its own container: its own /tmp, /dev/shm and /box',
    companion: {
      leadMs: 3000,
      body: {
        language: 'python',
        source: [
          'import json, time',
          `secret = ${JSON.stringify(crossSecret)}`,
          'for path in ("/tmp/secret", "/dev/shm/secret"):',
          '    with open(path, "w") as f:',
          '        f.write(secret)',
          'print(json.dumps({"written": time.time()}), flush=True)',
          'time.sleep(10)',
        ].join('\n'),
        limits: { timeMs: 1000, wallTimeMs: 15_000 },
      },
    },
    check: (r, ctx) => {
      const seen = JSON.parse(r.tests[0]!.stdout) as { started: number; ended: number; found: string[] };
      assert.deepEqual(seen.found, []);
      const companion = ctx.companion!;
      assert.equal(companion.verdict, 'accepted', JSON.stringify(companion.tests[0]));
      const { written } = JSON.parse(companion.tests[0]!.stdout) as { written: number };
      // The search ran while the secret existed: after it was written, before the writer's sleep ended.
      assert.ok(written < seen.started, `the secret was written at ${written}, after the search began at ${seen.started}`);
      assert.ok(seen.ended < written + 10, 'the search ended after the writer had finished');
    },
  },
  {
    name: 'the expected outputs: a search of every readable file, env, argv and stdin finds none',
    category: 'information',
    language: 'c',
    source: searchExpected,
    tests: expectedOutputs.map((expectedStdout, i) => ({ id: `secret-${i + 1}`, expectedStdout })),
    limits: { timeMs: 8000, wallTimeMs: 16000 },
    expect: 'wrong_answer',
    why: 'expected outputs never enter the sandbox: the program cannot print them',
    check: (r) => {
      for (const t of r.tests) {
        assert.equal(t.verdict, 'wrong_answer');
        assert.equal(t.stdout, 'nothing found\n', `test ${t.id}: ${t.stdout.slice(0, 500)}`);
      }
    },
  },
  {
    name: 'SysV message queue, POSIX message queue and semaphore carry data from one test to the next (c)',
    category: 'information',
    language: 'c',
    source: [
      '#include <fcntl.h>',
      '#include <mqueue.h>',
      '#include <stdio.h>',
      '#include <string.h>',
      '#include <sys/msg.h>',
      '#include <sys/sem.h>',
      'struct msg { long type; char text[32]; };',
      'int main(int argc, char **argv) {',
      '  if (argc > 1 && strcmp(argv[1], "plant") == 0) {',
      '    struct msg m = {1, "left by test 1"};',
      '    int q = msgget(0x5EC1, IPC_CREAT | 0600);',
      '    mqd_t mq = mq_open("/leak", O_CREAT | O_RDWR, 0600, NULL);',
      '    int ok = q >= 0 && msgsnd(q, &m, sizeof m.text, 0) == 0 && mq != (mqd_t)-1 && mq_send(mq, m.text, 15, 0) == 0 &&',
      '             semget(0x5EC2, 1, IPC_CREAT | 0600) >= 0;',
      '    puts(ok ? "planted" : "refused");',
      '    return 0;',
      '  }',
      '  struct msg m = {0};',
      '  int q = msgget(0x5EC1, 0);',
      '  printf("msg: %s\\n", q >= 0 && msgrcv(q, &m, sizeof m.text, 0, IPC_NOWAIT) >= 0 ? m.text : "clean");',
      '  char buf[8192] = "clean";',
      '  mqd_t mq = mq_open("/leak", O_RDONLY | O_NONBLOCK);',
      '  if (mq != (mqd_t)-1 && mq_receive(mq, buf, sizeof buf, NULL) < 0) strcpy(buf, "empty");',
      '  printf("mq: %s\\n", buf);',
      '  puts(semget(0x5EC2, 0, 0) >= 0 ? "sem: found" : "sem: clean");',
      '  return 0;',
      '}',
    ].join('\n'),
    tests: [
      { id: 'plant', args: ['plant'] },
      { id: 'check', args: ['check'], expectedStdout: 'msg: clean\nmq: clean\nsem: clean\n' },
    ],
    limits: roomy,
    expect: 'accepted',
    why: 'IPC objects live in the container\'s IPC namespace, not in /tmp or /dev/shm: a test must find none left by the previous one',
    check: (r) => assert.equal(r.tests[1]?.verdict, 'accepted', JSON.stringify(r.tests[1])),
  },
  {
    name: 'per-user kernel limits shared between sandboxes: a concurrent submission holds every inotify instance and the message queue budget of uid 10001',
    category: 'information',
    language: 'c',
    source: [
      '#define _GNU_SOURCE',
      '#include <errno.h>',
      '#include <fcntl.h>',
      '#include <mqueue.h>',
      '#include <stdio.h>',
      '#include <string.h>',
      '#include <sys/inotify.h>',
      '#include <time.h>',
      '#include <unistd.h>',
      'int main(void) {',
      '  sleep(1);',
      '  int fd = inotify_init();',
      '  printf("inotify %s\\n", fd >= 0 ? "ok" : strerrorname_np(errno));',
      '  mqd_t q = mq_open("/mine", O_CREAT | O_RDWR, 0600, NULL);',
      '  printf("mq %s\\n", q != (mqd_t)-1 ? "ok" : strerrorname_np(errno));',
      '  printf("at %ld\\n", (long)time(NULL));',
      '  return 0;',
      '}',
    ].join('\n'),
    limits: roomy,
    expect: 'accepted',
    why: 'every sandbox runs as uid 10001 in the host\'s user namespace, where inotify instances (fs.inotify.max_user_instances) and POSIX message queue bytes (RLIMIT_MSGQUEUE) are counted per user: one submission can starve the others',
    companion: {
      leadMs: 2500,
      body: {
        language: 'c',
        source: [
          '#include <fcntl.h>',
          '#include <mqueue.h>',
          '#include <stdio.h>',
          '#include <sys/inotify.h>',
          '#include <time.h>',
          '#include <unistd.h>',
          'int main(void) {',
          '  int n = 0, q = 0;',
          '  while (inotify_init() >= 0) n++;',
          '  char name[32];',
          '  for (int i = 0; i < 256; i++) {',
          '    snprintf(name, sizeof name, "/hog%d", i);',
          '    if (mq_open(name, O_CREAT | O_RDWR, 0600, NULL) == (mqd_t)-1) break;',
          '    q++;',
          '  }',
          '  printf("held %d %d from %ld\\n", n, q, (long)time(NULL));',
          '  fflush(stdout);',
          '  sleep(10);',
          '  return 0;',
          '}',
        ].join('\n'),
        limits: { timeMs: 1000, wallTimeMs: 15_000 },
      },
    },
    check: (r, ctx) => {
      const out = r.tests[0]!.stdout;
      const hog = ctx.companion!.tests[0]!.stdout;
      const held = /^held \d+ \d+ from (\d+)$/m.exec(hog);
      const at = /^at (\d+)$/m.exec(out);
      assert.ok(held && at, `companion: ${hog}; case: ${out}`);
      assert.ok(Number(at[1]) >= Number(held[1]) && Number(at[1]) <= Number(held[1]) + 9, `the case ran at ${at[1]}, outside the companion's hold from ${held[1]}`);
      assert.match(out, /^inotify ok\nmq ok\n/, `another submission's usage leaked into this one: ${out}`);
    },
  },
];
