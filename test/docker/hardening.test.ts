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
});
