/**
 * RESET: one container serves candidates one after another, and nothing of one
 * reaches the next. Driven through a SandboxSession directly, in the python image.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SandboxFailedError } from '../../src/errors.js';
import { languages } from '../../src/languages/registry.js';
import type { Phase, RunRecord } from '../../src/sandbox/protocol.js';
import type { SandboxSession } from '../../src/sandbox/session.js';
import { startTestApp } from '../helpers/app.js';
import { runOk, withSandbox } from '../helpers/sandbox.js';

const t = await startTestApp();
const python = languages.find((l) => l.id === 'python')!;
const UID_A = 200_001;
const UID_B = 200_002;
const UID_C = 200_003;

const withPython = (uid: number, body: (s: SandboxSession) => Promise<void>) => withSandbox(t, python, uid, body);

const run = (session: SandboxSession, phase: Phase, argv: string[]): Promise<RunRecord> =>
  runOk(session, { phase, argv, env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/tmp', LANG: 'C.UTF-8', PYTHONDONTWRITEBYTECODE: '1' } });

/** Runs a python script and parses the JSON it prints. */
async function py<T>(session: SandboxSession, phase: Phase, lines: string[]): Promise<T> {
  const record = await run(session, phase, ['python3', '-c', lines.join('\n')]);
  assert.equal(record.exitCode, 0, record.stderr.toString());
  return JSON.parse(record.stdout.toString()) as T;
}

/** What a candidate can observe of the sandbox, printed as JSON by `observe`. */
interface Observed {
  uid: number;
  box: string[];
  scratch: string[];
  boxOwner: number;
  boxMode: number;
  /** Other processes in the container (pid 1 and this one excepted), with their uids. */
  processes: { pid: number; uid: number }[];
  sysvShm: number;
  boxWritable: string;
}

const observe = [
  'import json, os',
  'def walk(root):',
  '    out = []',
  '    for d, dirs, files in os.walk(root):',
  '        for n in dirs + files:',
  '            out.append(os.path.relpath(os.path.join(d, n), root))',
  '    return sorted(out)',
  'procs = []',
  'for p in os.listdir("/proc"):',
  '    if p.isdigit() and int(p) not in (1, os.getpid()):',
  '        try:',
  '            uid = [int(l.split()[1]) for l in open(f"/proc/{p}/status") if l.startswith("Uid:")][0]',
  '        except OSError:',
  '            continue',
  '        procs.append({"pid": int(p), "uid": uid})',
  'try:',
  '    open("/box/probe-write", "a").close()',
  '    writable = "allowed"',
  'except OSError as e:',
  '    writable = type(e).__name__',
  'st = os.stat("/box")',
  'print(json.dumps({',
  '    "uid": os.getuid(),',
  '    "box": walk("/box"),',
  '    "scratch": walk("/tmp") + walk("/dev/shm") + walk("/dev/mqueue"),',
  '    "boxOwner": st.st_uid,',
  '    "boxMode": st.st_mode & 0o7777,',
  '    "processes": procs,',
  '    "sysvShm": len(open("/proc/sysvipc/shm").read().splitlines()) - 1,',
  '    "boxWritable": writable,',
  '}))',
];

/**
 * Candidate A's compile: everything a program might leave for the next one, in
 * /box (nested, unreadable, a FIFO, a symlink out), in scratch space, in SysV
 * IPC, as a daemon, and /box itself turned unwritable for its owner.
 */
const plant = [
  'import ctypes, json, os, subprocess',
  'open("/box/shared.txt", "w").write("written by A")',
  'open("/box/a-compiled.bin", "wb").write(b"A" * 100_000)',
  'os.makedirs("/box/build/deep/er")',
  'open("/box/build/deep/er/obj.o", "w").write("A")',
  'os.mkfifo("/box/build/fifo")',
  'os.symlink("/etc", "/box/build/etc-link")',
  'os.chmod("/box/build/deep/er/obj.o", 0)',
  'os.chmod("/box/build/deep/er", 0o300)',
  'os.chmod("/box/build/deep", 0o500)',
  'open("/tmp/a-tmp", "w").write("A")',
  'open("/dev/shm/a-shm", "w").write("A")',
  'libc = ctypes.CDLL(None, use_errno=True)',
  'shm = libc.shmget(0x5EED, 4096, 0o1000 | 0o666)',
  'daemon = subprocess.Popen(["setsid", "sleep", "1000"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)',
  'os.chmod("/box", 0o500)',
  'print(json.dumps({"shm": shm, "daemon": daemon.pid, "shmSeen": len(open("/proc/sysvipc/shm").read().splitlines()) - 1}))',
];

describe('sandbox reset', () => {
  it('hands one container from candidate A to candidate B with nothing of A left', async () => {
    await withPython(UID_A, async (s) => {
      // Candidate A: program, compile (which plants), a sealed test run.
      await s.writeFile('main.py', 'print("A")\n');
      await s.writeFile('shared.txt', 'A by FILE\n');
      const planted = await py<{ shm: number; daemon: number; shmSeen: number }>(s, 'compile', plant);
      assert.ok(planted.shm >= 0, 'A created a SysV shared memory segment');
      assert.equal(planted.shmSeen, 1);
      const a = await py<Observed>(s, 'test', observe);
      assert.equal(a.uid, UID_A);
      assert.equal(a.boxWritable, 'allowed', 'a test may create files beside its program');
      assert.ok(a.box.includes('a-compiled.bin') && a.box.includes('build/deep/er/obj.o'), JSON.stringify(a.box));
      assert.equal(a.boxOwner, 0, 'sealed for the tests');
      assert.equal(a.boxMode, 0o1777, "sticky and writable by all, whatever A's compile left (0500)");

      await s.reset(UID_B);

      // Candidate B: the same names as A's, plus its own; each FILE creates (O_EXCL), so a leftover would be an ERR.
      await s.writeFile('main.py', 'print("B")\n');
      await s.writeFile('shared.txt', 'B by FILE\n');
      await s.writeFile('a-compiled.bin', 'B, not A\n');
      // A fresh container's /box before any run: root-owned, its original mode, nothing but B's files.
      const compiled = await py<Observed & { shared: string }>(s, 'compile', [
        ...observe.slice(0, -1),
        '    "shared": open("/box/shared.txt").read(),',
        '}))',
      ]);
      assert.equal(compiled.uid, UID_B);
      // The compile hands /box to B: B owns it, with the mode the container started with (A's 0500 is gone).
      assert.equal(compiled.boxOwner, UID_B);
      assert.equal(compiled.boxMode, 0o755);
      assert.equal(compiled.boxWritable, 'allowed', 'compile-phase runs may write the box again');
      assert.deepEqual(compiled.box, ['a-compiled.bin', 'main.py', 'probe-write', 'shared.txt']);
      assert.equal(compiled.shared, 'B by FILE\n');
      assert.deepEqual(compiled.scratch, []);
      assert.deepEqual(compiled.processes, [], `no process of A (daemon ${planted.daemon}) is alive`);
      assert.equal(compiled.sysvShm, 0, "A's SysV segment is gone");

      const b = await py<Observed & { files: Record<string, string> }>(s, 'test', [
        ...observe.slice(0, -1),
        '    "files": {n: open("/box/" + n).read() for n in ("main.py", "shared.txt", "a-compiled.bin")},',
        '}))',
      ]);
      assert.equal(b.uid, UID_B);
      assert.equal(b.boxOwner, 0, 'sealed again for the tests');
      assert.equal(b.boxMode, 0o1777);
      // probe-write is the compile's, sealed with the program: a test can no longer write it.
      assert.equal(b.boxWritable, 'PermissionError');
      assert.deepEqual(b.box, ['a-compiled.bin', 'main.py', 'probe-write', 'shared.txt']);
      assert.deepEqual(b.files, { 'main.py': 'print("B")\n', 'shared.txt': 'B by FILE\n', 'a-compiled.bin': 'B, not A\n' });
      assert.deepEqual(b.scratch, []);
      assert.deepEqual(b.processes, []);

      const id = await run(s, 'test', ['id', '-u']);
      assert.equal(id.stdout.toString().trim(), String(UID_B));
    });
  });

  it('refuses a uid out of range with ERR and changes nothing; a later RESET still works', async () => {
    await withPython(UID_A, async (s) => {
      await s.writeFile('main.py', 'print("A")\n');
      await run(s, 'test', ['true']);
      for (const bad of [0, 999, 2_147_483_648]) {
        await assert.rejects(s.reset(bad), (err: unknown) => err instanceof SandboxFailedError && /bad uid/.test(err.message), `uid ${bad}`);
      }
      // Still A's sandbox, alive and sealed, its program in place; what this test creates goes after it.
      const still = await py<Observed>(s, 'test', observe);
      assert.equal(still.uid, UID_A);
      assert.deepEqual(still.box, ['main.py', 'probe-write']);
      assert.equal(still.boxOwner, 0);
      const listed = await run(s, 'test', ['ls', '/box']);
      assert.equal(listed.stdout.toString(), 'main.py\n', "the previous test's probe-write is gone");

      // Reset twice in a row, then the full cycle once more: FILE, compile, test.
      await s.reset(UID_B);
      await s.reset(UID_C);
      await s.writeFile('main.py', 'print("C")\n');
      const compiled = await py<Observed>(s, 'compile', observe);
      assert.equal(compiled.uid, UID_C);
      assert.equal(compiled.boxWritable, 'allowed');
      assert.deepEqual(compiled.box, ['main.py', 'probe-write']);
      const r = await run(s, 'test', ['python3', 'main.py']);
      assert.equal(r.stdout.toString(), 'C\n');
    });
  });
});
