/**
 * The hardening, asserted: a probe inside the sandbox reports what a candidate
 * can see and do, and any regression fails here.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { startTestApp } from '../helpers/app.js';

const t = await startTestApp();
const probe = await readFile(new URL('../hostile/probe.py', import.meta.url), 'utf8');

describe('sandbox hardening', () => {
  it('the candidate runs unprivileged, without capabilities, network or writable root', async () => {
    const r = await t.submit({ language: 'python', source: probe });
    assert.equal(r.verdict, 'accepted', r.tests[0]?.stderr);
    const seen = JSON.parse(r.tests[0]!.stdout) as Record<string, unknown>;
    // A uid of its own per sandbox (per-user kernel limits are host-wide), never root or a system user.
    assert.ok(typeof seen.uid === 'number' && seen.uid >= 100_000, `uid ${seen.uid}`);
    assert.equal(seen.euid, seen.uid);
    assert.equal(seen.gid, 10001);
    assert.deepEqual(seen.groups, []);
    assert.equal(seen.capEff, '0000000000000000', 'no effective capabilities');
    assert.equal(seen.capPrm, '0000000000000000', 'no permitted capabilities');
    // The bounding set is what the supervisor kept for itself; no-new-privileges stops a candidate regaining any.
    assert.equal(BigInt(`0x${seen.capBnd as string}`) & ~0xebn, 0n, `bounding set ${seen.capBnd} has more than CHOWN, DAC_OVERRIDE, FOWNER, KILL, SETGID, SETUID`);
    assert.equal(seen.noNewPrivs, '1');
    assert.equal(seen.seccomp, '2', 'a seccomp filter is active');
    // The working directory too (sticky: what it was given stays; see workdir.test.ts).
    assert.deepEqual(seen.writableMounts, ['/box', '/dev/shm', '/tmp']);
    assert.equal(seen.rootWritable, false);
    assert.deepEqual(seen.interfaces, ['lo'], 'no network interface but loopback');
    // Loopback buffers escape the memory cgroup and loopback sockets outlive the program: only AF_UNIX is left.
    assert.deepEqual(seen.sockets, { inet: 'EACCES', inet6: 'EACCES', netlink: 'EACCES', unix: 0 }, 'sockets of every family but AF_UNIX are refused');
    assert.deepEqual(seen.env, ['HOME', 'LANG', 'LC_ALL', 'OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'PATH', 'PYTHONDONTWRITEBYTECODE', 'PYTHONHASHSEED', 'PYTHONIOENCODING', 'TMPDIR']);
    assert.equal(seen.cwd, '/box');
  });

  it('the program is read-only to the tests and the supervisor is out of reach', async () => {
    const r = await t.submit({
      language: 'python',
      source: [
        'import os, signal',
        'def attempt(f):',
        '    try:',
        '        f()',
        '        return "allowed"',
        '    except OSError as e:',
        '        return type(e).__name__',
        'print(attempt(lambda: open("/box/main.py", "a").write("#")))',
        'print(attempt(lambda: os.unlink("/box/main.py")))',
        'print(attempt(lambda: open("/proc/1/environ").read()))',
        'print(attempt(lambda: os.kill(1, signal.SIGKILL)))',
        'print(attempt(lambda: open("/etc/shadow").read()))',
      ].join('\n'),
      tests: [{ expectedStdout: 'PermissionError\nPermissionError\nPermissionError\nPermissionError\nPermissionError\n' }],
    });
    assert.equal(r.verdict, 'accepted', r.tests[0]?.stdout + r.tests[0]!.stderr);
  });

  it('a test cannot leave files or processes for the next one', async () => {
    const r = await t.submit({
      language: 'python',
      source: [
        'import os, subprocess, sys',
        'if sys.argv[1] == "plant":',
        '    open("/tmp/planted", "w").write("x")',
        '    open("/dev/shm/planted", "w").write("x")',
        '    subprocess.Popen(["sleep", "1000"], start_new_session=True)',
        '    print("planted")',
        'else:',
        '    left = [p for p in ("/tmp/planted", "/dev/shm/planted") if os.path.exists(p)]',
        '    procs = [p for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, os.getpid())]',
        '    print(left, len(procs))',
      ].join('\n'),
      tests: [
        { args: ['plant'], expectedStdout: 'planted' },
        { args: ['check'], expectedStdout: '[] 0' },
      ],
    });
    assert.deepEqual(r.tests.map((x) => x.verdict), ['accepted', 'accepted'], JSON.stringify(r.tests.map((x) => x.stdout + x.stderr)));
  });

  it('the cgroup counters are unreadable (a reused sandbox would carry them), its limits readable', async () => {
    // Every cumulative file of both cgroup versions; each missing one is ENOENT, each hidden one EACCES.
    const source = `
import errno, json, os
def opened(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError as e:
        return errno.errorcode[e.errno]
counters = ['memory/memory.max_usage_in_bytes', 'memory/memory.failcnt', 'memory/memory.stat', 'memory/memory.kmem.max_usage_in_bytes',
            'memory/memory.oom_control', 'cpuacct/cpuacct.usage', 'cpuacct/cpuacct.stat', 'cpu/cpu.stat', 'pids/pids.events',
            'blkio/blkio.throttle.io_service_bytes', 'memory.peak', 'memory.events', 'cpu.stat', 'pids.events']
hidden = {c: opened('/sys/fs/cgroup/' + c) for c in counters}
try:
    os.listdir('/sys/fs/cgroup')
    hidden['listing'] = 'listed'
except OSError as e:
    hidden['listing'] = errno.errorcode[e.errno]
limit = opened('/sys/fs/cgroup/memory/memory.limit_in_bytes')
if limit == 'ENOENT':
    limit = opened('/sys/fs/cgroup/memory.max')
print(json.dumps({'hidden': hidden, 'limit': limit, 'elsewhere': [opened('/etc/hostname') != 'EACCES', opened('/sys/kernel/mm/transparent_hugepage/enabled') != 'EACCES']}))
`;
    const r = await t.submit({ language: 'python', source, limits: { memoryBytes: 96 << 20 } });
    assert.equal(r.verdict, 'accepted', r.tests[0]?.stderr);
    const seen = JSON.parse(r.tests[0]!.stdout) as { hidden: Record<string, string>; limit: string; elsewhere: boolean[] };
    for (const [file, got] of Object.entries(seen.hidden)) assert.ok(got === 'EACCES' || got === 'ENOENT', `${file}: ${got}`);
    assert.ok([seen.hidden['memory/memory.max_usage_in_bytes'], seen.hidden['memory.peak']].includes('EACCES'), 'the peak memory counter exists and is hidden');
    assert.equal(seen.hidden.listing, 'EACCES');
    assert.match(seen.limit, /^\d+$/, 'the memory limit stays readable for runtimes that size themselves by it');
    assert.ok(Number(seen.limit) >= 96 << 20, seen.limit);
    assert.deepEqual(seen.elsewhere, [true, true], 'files elsewhere, /sys outside cgroup included, stay readable');
  });
});
