/**
 * Sandbox reuse under hostile programs: within one batch, and across requests
 * (a sandbox recycled through the pool), each hostile candidate is followed in
 * the same container by a probe that must find nothing of it: no process, no
 * file, no IPC object, no socket and no traffic in the network namespace, not
 * its uid, and no cumulative cgroup counter (those no reset can clear: the
 * candidate cannot open them at all). Across requests, a program whose verdict
 * depends on clean state (memory charged, CPU time, OOM kills, free /tmp)
 * follows the probe and must be judged as it was in a fresh container.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { BatchLine } from '../../src/schemas.js';
import { startTestApp } from '../helpers/app.js';

const PROBE = `
import errno, os
def ls(d):
    try:
        return sorted(os.listdir(d))
    except OSError as e:
        return [f'error {e.errno}']
others = []
for p in os.listdir('/proc'):
    if p.isdigit() and int(p) not in (1, os.getpid()):
        try:
            others.append(open(f'/proc/{p}/cmdline', 'rb').read().replace(b'\\0', b' ').decode().strip())
        except OSError:
            pass
ipc = sum(len(open(f'/proc/sysvipc/{t}').read().splitlines()) - 1 for t in ('shm', 'msg', 'sem'))
def sockets(table):
    try:
        return len(open(f'/proc/net/{table}').read().splitlines()) - 1
    except OSError as e:
        return f'error {e.errno}'
# Sockets in the namespace (TIME_WAIT and listeners included), and the bytes loopback ever carried.
net = [sockets(t) for t in ('tcp', 'tcp6', 'udp', 'udp6', 'unix')]
lo = [line.split(':', 1)[1].split() for line in open('/proc/net/dev') if line.strip().startswith('lo:')][0]
print(ls('/box'), ls('/tmp'), ls('/dev/shm'), ls('/dev/mqueue'), others, ipc, net, int(lo[0]) + int(lo[8]))
print(os.getuid())
# The cgroup's cumulative counters (peak memory, failures, faults, CPU, throttling, fork failures,
# I/O) survive every wipe: they must not open at all; the limit runtimes size themselves by must.
def opened(path):
    try:
        open(path).close()
        return 'open'
    except OSError as e:
        return errno.errorcode[e.errno]
counters = ['memory/memory.max_usage_in_bytes', 'memory/memory.failcnt', 'memory/memory.stat', 'memory/memory.kmem.max_usage_in_bytes',
            'memory/memory.usage_in_bytes', 'cpuacct/cpuacct.usage', 'cpuacct/cpuacct.usage_percpu', 'cpu/cpu.stat', 'pids/pids.events',
            'blkio/blkio.throttle.io_serviced', 'memory.peak', 'memory.events', 'memory.stat', 'cpu.stat', 'pids.events']
limit = 'memory/memory.limit_in_bytes' if os.path.exists('/sys/fs/cgroup/memory') else 'memory.max'
print(sorted({opened('/sys/fs/cgroup/' + c) for c in counters} - {'ENOENT'}), opened('/sys/fs/cgroup/' + limit))
`;
const CLEAN = "['main.py'] [] [] [] [] 0 [0, 0, 0, 0, 0] 0";
const COUNTERS_HIDDEN = "['EACCES'] open";

/** Hostile candidates, each leaving something behind if reuse were careless. */
const HOSTILE: Array<{ id: string; source: string }> = [
  {
    id: 'daemons-and-litter',
    source: `
import os, subprocess
for d in ('/tmp', '/dev/shm'):
    open(f'{d}/litter', 'w').write('x' * 1000)
os.makedirs('/tmp/a/b/c', exist_ok=True)
os.symlink('/etc/passwd', '/tmp/a/link')
for _ in range(3):
    subprocess.Popen(['sleep', '600'], start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        import time
        time.sleep(600)
    os._exit(0)
`,
  },
  { id: 'fork-bomb', source: 'import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n' },
  {
    id: 'ipc-objects',
    source: `
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
IPC_CREAT = 0o1000
assert libc.shmget(0, 4096, IPC_CREAT | 0o666) >= 0
assert libc.msgget(0, IPC_CREAT | 0o666) >= 0
assert libc.semget(0, 1, IPC_CREAT | 0o666) >= 0
rt = ctypes.CDLL('librt.so.1', use_errno=True)
rt.mq_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_int, ctypes.c_void_p]
assert rt.mq_open(b'/verdict-leftover', os.O_CREAT | os.O_RDWR, 0o666, None) >= 0, ctypes.get_errno()
`,
  },
  {
    id: 'stopped-and-orphaned',
    source: `
import os, signal, time
pid = os.fork()
if pid == 0:
    os.kill(os.getpid(), signal.SIGSTOP)
    time.sleep(600)
ign = os.fork()
if ign == 0:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    os.setsid()
    time.sleep(600)
`,
  },
  {
    id: 'network-residue',
    source: `
import array, socket
secret = b'verdict-secret-from-the-previous-candidate'
try:
    # A listener; a connection closed by this side first, so it stays in TIME_WAIT, from a port that is data;
    # a connection with data its peer never read; a bound UDP socket with a datagram waiting.
    server = socket.socket()
    server.bind(('127.0.0.1', 7777))
    server.listen(8)
    client = socket.socket()
    client.bind(('127.0.0.1', 4242))
    client.connect(('127.0.0.1', 7777))
    peer, _ = server.accept()
    client.sendall(secret)
    peer.recv(100)
    client.close()
    peer.close()
    unread = socket.create_connection(('127.0.0.1', 7777))
    unread.sendall(secret)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(('127.0.0.1', 7778))
    udp.sendto(secret, ('127.0.0.1', 7778))
except PermissionError:
    pass
# Abstract unix sockets whose names carry data, kept alive after exit by a cycle of descriptors in flight.
listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
listener.bind(b'\\0' + secret)
listener.listen(1)
dgram = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
dgram.bind(b'\\0' + secret + b'-dgram')
p, q = socket.socketpair()
p.sendmsg([secret], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array('i', [q.fileno(), listener.fileno(), dgram.fileno()]))])
`,
  },
  {
    // Drives every cumulative counter: peak memory near the limit and its failures, page faults, CPU time, forks.
    id: 'cgroup-counters',
    source: `
import os, time
held = [b'x' * (8 << 20) for _ in range(6)]
spin = time.process_time() + 0.3
while time.process_time() < spin:
    pass
for _ in range(4):
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
`,
  },
  {
    id: 'memory-hog',
    source: `
open('/proc/self/oom_score_adj', 'w').write('0')
hog = []
while True:
    hog.append(bytearray(1 << 20))
`,
  },
];

describe('sandbox reuse with hostile candidates', async () => {
  // One slot: the batch's programs run one after another, each in the sandbox its predecessor left.
  const t = await startTestApp({ VERDICT_CONCURRENCY: '1', VERDICT_POOL_MAX_IDLE: '0' });

  it('every probe after a hostile candidate finds a clean sandbox under a new uid', async () => {
    const items = HOSTILE.flatMap((h) => [
      { id: h.id, source: `${h.source}\n# ${randomUUID()}\n` },
      { id: `probe-after-${h.id}`, source: `${PROBE}# ${randomUUID()}\n` },
    ]);
    // One language and one set of limits: one kind of sandbox, handed from each program to the next.
    const problem = { language: 'python', limits: { timeMs: 2000, wallTimeMs: 4000, memoryBytes: 64 << 20, processes: 32 } };
    const res = await t.app.inject({ method: 'POST', url: '/v1/batch', payload: { problem, items, cache: false }, headers: { accept: 'application/json' } });
    assert.equal(res.statusCode, 200, res.body);
    const lines = res.json<{ items: BatchLine[] }>().items;
    const uids = new Set<string>();
    for (const line of lines) {
      assert.equal(line.status, 'ok', JSON.stringify(line));
      if (line.status !== 'ok' || !line.id.startsWith('probe-after-')) continue;
      const test = line.result.tests[0]!;
      assert.equal(line.result.verdict, 'accepted', `${line.id}: ${test.stderr}`);
      const [state, uid, counters] = test.stdout.trim().split('\n');
      assert.equal(state, CLEAN, `${line.id} found leftovers`);
      assert.equal(counters, COUNTERS_HIDDEN, `${line.id} read a cgroup counter, or not the memory limit`);
      uids.add(uid!);
    }
    assert.equal(uids.size, HOSTILE.length, 'each probe ran under its own uid');
    // The litter was really left: these ran to their end.
    for (const id of ['daemons-and-litter', 'ipc-objects', 'stopped-and-orphaned', 'network-residue', 'cgroup-counters']) {
      const line = lines.find((l) => l.id === id);
      assert.ok(line?.status === 'ok' && line.result.verdict === 'accepted', JSON.stringify(line));
    }
    const hog = lines.find((l) => l.id === 'memory-hog');
    assert.ok(hog?.status === 'ok' && hog.result.verdict === 'memory_limit_exceeded', JSON.stringify(hog));
    const reused = await t.app.inject({ method: 'GET', url: '/metrics' });
    assert.match(reused.body, /verdict_sandbox_acquired_total\{source="reused"\} [1-9]/);
  });
});

/** The container's own identity: when its PID 1 (the supervisor) started. Flushed first, whatever the program does next. */
const CONTAINER = "print('container', open('/proc/1/stat').read().split()[21], flush=True)\n";

/**
 * Judged by what it finds: 40 MiB of a 64 MiB limit touched (a charge or an OOM kill left by the
 * previous program would make it memory_limit_exceeded), half a second of CPU against a one-second
 * limit (a CPU counter carried over would make it time_limit_exceeded), and /tmp's free blocks and
 * inodes, printed to be compared with a fresh container's.
 */
const STATE = `import os, time
held = bytearray(40 << 20)
for i in range(0, len(held), 4096):
    held[i] = 1
spin = time.process_time() + 0.5
while time.process_time() < spin:
    pass
st = os.statvfs('/tmp')
print(st.f_bfree, st.f_ffree)
`;

describe('sandbox recycling across requests with hostile candidates', async () => {
  // One slot and a pool: each request's sandbox is reset and handed to the next request.
  const t = await startTestApp({ VERDICT_CONCURRENCY: '1', VERDICT_POOL_MAX_IDLE: '2' });
  const limits = { timeMs: 2000, wallTimeMs: 4000, memoryBytes: 64 << 20, processes: 32 };
  const submit = (source: string, overrides: Record<string, number> = {}) =>
    t.submit({ language: 'python', source: `${source}\n# ${randomUUID()}\n`, limits: { ...limits, ...overrides }, cache: false });
  const containerOf = (stdout: string) => /^container (\d+)$/m.exec(stdout)?.[1];

  it('a probe from another request finds a clean sandbox, and a program judged by clean state is judged as in a fresh one', async () => {
    const fresh = await submit(STATE, { timeMs: 1000 });
    assert.equal(fresh.verdict, 'accepted', JSON.stringify(fresh.tests[0]));
    const uids = new Set<string>();
    for (const h of HOSTILE) {
      const hostile = await submit(`${CONTAINER}${h.source}`);
      const container = containerOf(hostile.tests[0]!.stdout);
      assert.ok(container, `${h.id} printed its container: ${JSON.stringify(hostile.tests[0])}`);
      const probe = await submit(`${CONTAINER}${PROBE}`);
      const test = probe.tests[0]!;
      assert.equal(probe.verdict, 'accepted', `probe after ${h.id}: ${test.stderr}`);
      assert.equal(containerOf(test.stdout), container, `the probe after ${h.id} ran in its container`);
      const [, state, uid, counters] = test.stdout.trim().split('\n');
      assert.equal(state, "['main.py'] [] [] [] [] 0 [0, 0, 0, 0, 0] 0", `the probe after ${h.id} found leftovers`);
      assert.equal(counters, COUNTERS_HIDDEN, `the probe after ${h.id} read a cgroup counter, or not the memory limit`);
      uids.add(uid!);
      const after = await submit(`${CONTAINER}${STATE}`, { timeMs: 1000 });
      assert.equal(containerOf(after.tests[0]!.stdout), container, `the state check after ${h.id} ran in its container`);
      assert.equal(after.verdict, fresh.verdict, `after ${h.id}: ${JSON.stringify(after.tests[0])}`);
      assert.equal(after.tests[0]!.stdout.trim().split('\n')[1], fresh.tests[0]!.stdout.trim(), `/tmp after ${h.id} is not a fresh container's`);
    }
    assert.equal(uids.size, HOSTILE.length, 'each probe ran under its own uid');
    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(metrics, /verdict_sandbox_acquired_total\{source="recycled"\} [1-9]/);
  });
});
