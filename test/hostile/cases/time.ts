/** Never finishing: spinning, sleeping, blocking, stopping, and CPU spent where the main process is not. */
import assert from 'node:assert/strict';
import { cpuBound, quick, roomy, type HostileCase } from './types.js';

const littleCpu: HostileCase['check'] = (r) => assert.ok(r.tests[0]!.cpuTimeMs < 500, `a blocked program used ${r.tests[0]!.cpuTimeMs} ms of CPU`);

/** For the burners: the first test answers fast, the second is unaffected by what the first left running. */
const burnerChecks: HostileCase['check'] = (r) => {
  assert.deepEqual(r.tests.map((t) => t.verdict), ['accepted', 'accepted']);
  for (const t of r.tests) {
    // Far below the 10 s wall limit: the answer came when main exited, not when the burner was stopped by a limit.
    assert.ok(t.wallTimeMs < 2500, `test ${t.id} took ${t.wallTimeMs} ms: the leftover burner must not delay the answer`);
    assert.ok(t.cpuTimeMs < 700, `test ${t.id} was charged ${t.cpuTimeMs} ms of CPU`);
  }
};

export const cases: HostileCase[] = [
  {
    name: 'busy loop (python)',
    category: 'time',
    language: 'python',
    source: 'while True:\n    pass\n',
    limits: quick,
    expect: 'time_limit_exceeded',
  },
  {
    name: 'busy loop (c)',
    category: 'time',
    language: 'c',
    source: 'int main(void) { volatile unsigned long x = 0; for (;;) x++; }\n',
    limits: quick,
    expect: 'time_limit_exceeded',
  },
  {
    name: 'sleep forever (python)',
    category: 'time',
    language: 'python',
    source: 'import time\nwhile True:\n    time.sleep(3600)\n',
    limits: quick,
    expect: 'time_limit_exceeded',
    check: littleCpu,
  },
  {
    name: 'sleep forever (c): pause()',
    category: 'time',
    language: 'c',
    source: '#include <unistd.h>\nint main(void) { for (;;) pause(); }\n',
    limits: quick,
    expect: 'time_limit_exceeded',
    check: littleCpu,
  },
  {
    name: 'blocked read on a pipe it made itself (python)',
    category: 'time',
    language: 'python',
    source: 'import os\nr, w = os.pipe()\nos.read(r, 1)\nprint("unreachable")\n',
    limits: quick,
    expect: 'time_limit_exceeded',
    why: 'stdin is closed (EOF), so a hang needs a pipe whose write end the program keeps open',
    check: littleCpu,
  },
  {
    name: 'select() on nothing without a timeout (c)',
    category: 'time',
    language: 'c',
    source: '#include <sys/select.h>\nint main(void) { for (;;) select(0, 0, 0, 0, 0); }\n',
    limits: quick,
    expect: 'time_limit_exceeded',
    check: littleCpu,
  },
  {
    name: 'SIGSTOP on itself (python)',
    category: 'time',
    language: 'python',
    source: 'import os, signal\nos.kill(os.getpid(), signal.SIGSTOP)\nprint("resumed")\n',
    limits: quick,
    expect: 'time_limit_exceeded',
    why: 'a stopped process never exits: only the wall limit ends it, and SIGKILL reaches stopped processes',
    check: littleCpu,
  },
  {
    name: 'stopped leftovers (c): children stopped by kill(-1, SIGSTOP), main answers and exits',
    category: 'time',
    language: 'c',
    source: [
      '#include <signal.h>',
      '#include <stdio.h>',
      '#include <string.h>',
      '#include <unistd.h>',
      'int main(int argc, char **argv) {',
      '  if (argc > 1 && strcmp(argv[1], "clean") == 0) { puts("clean"); return 0; }',
      '  for (int i = 0; i < 4; i++) if (fork() == 0) { volatile unsigned long x = 0; for (;;) x++; }',
      '  kill(-1, SIGSTOP);',
      '  puts("stopped them");',
      '  return 0;',
      '}',
    ].join('\n'),
    tests: [
      { id: 'stop', args: ['stop'], expectedStdout: 'stopped them\n' },
      { id: 'clean', args: ['clean'], expectedStdout: 'clean\n' },
    ],
    limits: roomy,
    expect: 'accepted',
    why: 'kill(-1, sig) reaches every process of the caller\'s uid except the caller itself (and PID 1): main goes on; the stopped children must still be killed and reaped when it exits',
    check: (r) => {
      assert.equal(r.tests[1]?.verdict, 'accepted');
      assert.ok(r.tests[0]!.wallTimeMs < 2500, `the stopped children held the test for ${r.tests[0]!.wallTimeMs} ms`);
    },
  },
  {
    name: 'busy threads (c): 4 threads spinning, CPU counted across threads',
    category: 'time',
    language: 'c',
    source: [
      '#include <pthread.h>',
      'static void *spin(void *arg) { volatile unsigned long x = 0; for (;;) x++; return arg; }',
      'int main(void) {',
      '  pthread_t t[4];',
      '  for (int i = 0; i < 4; i++) pthread_create(&t[i], 0, spin, 0);',
      '  pthread_join(t[0], 0);',
      '  return 0;',
      '}',
    ].join('\n'),
    limits: cpuBound,
    expect: 'time_limit_exceeded',
    check: (r) => assert.ok(r.tests[0]!.cpuTimeMs >= 1000, `CPU reported ${r.tests[0]!.cpuTimeMs} ms`),
  },
  {
    name: 'busy processes (python): 4 forked children spinning while main waits',
    category: 'time',
    language: 'python',
    source: [
      'import os',
      'for _ in range(4):',
      '    if os.fork() == 0:',
      '        while True:',
      '            pass',
      'os.wait()',
    ].join('\n'),
    limits: cpuBound,
    expect: 'time_limit_exceeded',
    why: 'the main process itself uses no CPU: only the container-wide counter sees the children',
    check: (r) => assert.ok(r.tests[0]!.cpuTimeMs >= 1000, `CPU reported ${r.tests[0]!.cpuTimeMs} ms`),
  },
  {
    name: 'ignores SIGXCPU and SIGTERM, then spins (c)',
    category: 'time',
    language: 'c',
    source: [
      '#include <signal.h>',
      'int main(void) {',
      '  signal(SIGXCPU, SIG_IGN);',
      '  signal(SIGTERM, SIG_IGN);',
      '  signal(SIGINT, SIG_IGN);',
      '  volatile unsigned long x = 0;',
      '  for (;;) x++;',
      '}',
    ].join('\n'),
    limits: cpuBound,
    expect: 'time_limit_exceeded',
    why: 'RLIMIT_CPU is only a backstop: the supervisor kills on the cgroup counter, whatever the program ignores',
    check: (r) => assert.ok(r.tests[0]!.wallTimeMs < 10_000, `killed after ${r.tests[0]!.wallTimeMs} ms of wall time, by the wall limit`),
  },
  {
    name: 'waits forever on a child that sleeps (python)',
    category: 'time',
    language: 'python',
    source: 'import subprocess\nsubprocess.run(["sleep", "3600"])\nprint("done")\n',
    limits: quick,
    expect: 'time_limit_exceeded',
    check: littleCpu,
  },
  {
    name: 'background burner (python): a forked child spins, main answers and exits 0',
    category: 'time',
    language: 'python',
    source: [
      'import os',
      'if os.fork() == 0:',
      '    while True:',
      '        pass',
      'a, b = map(int, input().split())',
      'print(a + b)',
    ].join('\n'),
    tests: [
      { id: 'first', stdin: '2 3\n', expectedStdout: '5\n' },
      { id: 'second', stdin: '40 2\n', expectedStdout: '42\n' },
    ],
    limits: roomy,
    expect: 'accepted',
    why: 'the supervisor kills what main leaves behind as soon as main exits; the leftover must cost neither time nor the next test',
    check: burnerChecks,
  },
  {
    name: 'background burner (c): a double-forked setsid daemon spins, main answers',
    category: 'time',
    language: 'c',
    source: [
      '#include <stdio.h>',
      '#include <unistd.h>',
      'int main(void) {',
      '  if (fork() == 0) {',
      '    setsid();',
      '    if (fork() == 0) { close(0); close(1); close(2); volatile unsigned long x = 0; for (;;) x++; }',
      '    _exit(0);',
      '  }',
      '  long a, b;',
      '  if (scanf("%ld %ld", &a, &b) != 2) return 1;',
      '  printf("%ld\\n", a + b);',
      '  return 0;',
      '}',
    ].join('\n'),
    tests: [
      { id: 'first', stdin: '2 3\n', expectedStdout: '5\n' },
      { id: 'second', stdin: '40 2\n', expectedStdout: '42\n' },
    ],
    limits: roomy,
    expect: 'accepted',
    check: burnerChecks,
  },
];
