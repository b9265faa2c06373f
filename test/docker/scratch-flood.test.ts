/**
 * Programs that fill the sandbox's writable mounts with entries (directories, nested directories,
 * files) until the kernel refuses: each gets a verdict in a 200, never a 503, whatever the wipe
 * after it has to remove, and whatever runs next (the next test, the next candidate in the same
 * sandbox) finds the mounts empty. Before the inode limits, a loop of mkdir in /tmp ran until the
 * CPU limit, and wiping the hundreds of thousands of directories it made outlasted the service's
 * wait: the answer was a 503 VERDICT_SANDBOX_FAILED.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { languages } from '../../src/languages/registry.js';
import type { BatchLine } from '../../src/schemas.js';
import { startTestApp } from '../helpers/app.js';
import { runOk, SANDBOX_INODES, withSandbox } from '../helpers/sandbox.js';

// One slot and no warm pool: a batch's programs run one after another, each in the sandbox its predecessor left.
const t = await startTestApp({ VERDICT_CONCURRENCY: '1', VERDICT_POOL_MAX_IDLE: '0' });
const python = languages.find((l) => l.id === 'python')!;
const ENOSPC = 28;
/** The service's default VERDICT_SCRATCH_INODES. */
const INODES = 16_384;

/**
 * A candidate that first reports what the run before it left in scratch space (and in /box besides
 * its program), then makes entries
 * with `body` until the kernel refuses, then echoes its input: stdout "<input> []" when it found
 * scratch space empty; stderr "<entries made> <errno>".
 */
function flood(body: string): string {
  return `
import os, sys
left = sorted(os.listdir('/tmp')) + sorted(os.listdir('/dev/shm')) + sorted(set(os.listdir('/box')) - {'main.py'})
made, err = 0, None
try:
${body
  .trim()
  .split('\n')
  .map((line) => `    ${line}`)
  .join('\n')}
except OSError as e:
    err = e.errno
print(input(), left)
print(made, err, file=sys.stderr)
# ${randomUUID()}
`;
}

const FLOODS = {
  'tmp-directories': flood(`
while True:
    os.mkdir(f'/tmp/d{made}')
    made += 1
`),
  'tmp-nested-directories': flood(`
os.chdir('/tmp')
while True:
    os.mkdir('d')
    os.chdir('d')
    made += 1
`),
  'tmp-files': flood(`
while True:
    open(f'/tmp/f{made}', 'w').close()
    made += 1
`),
  'shm-files': flood(`
while True:
    open(f'/dev/shm/f{made}', 'w').close()
    made += 1
`),
  // The working directory is writable by the tests: what they create there is wiped as /tmp is.
  'box-directories': flood(`
while True:
    os.mkdir(f'/box/d{made}')
    made += 1
`),
  'box-nested-directories': flood(`
os.chdir('/box')
while True:
    os.mkdir('d')
    os.chdir('d')
    made += 1
`),
};

/** "<entries made> <errno>": the kernel refused (ENOSPC) before the mount held more than its inode limit. */
function assertStoppedByInodeLimit(report: string, what: string, inodes = INODES): void {
  const [made, errno] = report.trim().split(' ').map(Number);
  assert.equal(errno, ENOSPC, `${what}: the loop ended on ENOSPC, not on a limit of the run (${report})`);
  assert.ok(made! > 1000 && made! < inodes, `${what}: made ${made} entries, fewer than the ${inodes} inodes`);
}

describe('scratch floods', () => {
  it('mounts the writable tmpfs with the configured inode limit', async () => {
    const result = await t.submit({
      language: 'python',
      source: `import os\nprint(*(os.statvfs(d).f_files for d in ('/box', '/tmp', '/dev/shm')))\n`,
      tests: [{ expectedStdout: `${INODES} ${INODES} ${INODES}\n` }],
      cache: false,
    });
    assert.equal(result.verdict, 'accepted', JSON.stringify(result.tests[0]));
  });

  it('a program filling /tmp with directories gets its verdict on every test, each test finding scratch space empty', async () => {
    const tests = Array.from({ length: 6 }, (_, i) => ({ id: `t${i}`, stdin: `t${i}\n`, expectedStdout: `t${i} []\n` }));
    const result = await t.submit({ language: 'python', source: FLOODS['tmp-directories'], tests, cache: false });
    for (const test of result.tests) {
      assert.equal(test.verdict, 'accepted', `${test.id}: ${test.stdout} ${test.stderr}`);
      assert.equal(test.sandboxLost, undefined);
      assertStoppedByInodeLimit(test.stderr, test.id);
    }
    assert.equal(result.verdict, 'accepted');
  });

  it('a batch of floods, each candidate in the sandbox the one before it flooded, all get verdicts', async () => {
    const items = [...Object.entries(FLOODS), ...Object.entries(FLOODS)].map(([kind, source], i) => ({ id: `${kind}-${i}`, source: `${source}# ${i}\n` }));
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: { accept: 'application/json' },
      payload: {
        problem: { language: 'python', tests: [{ stdin: 'x\n', expectedStdout: 'x []\n' }, { stdin: 'y\n', expectedStdout: 'y []\n' }] },
        items,
        cache: false,
      },
    });
    assert.equal(res.statusCode, 200, res.body);
    for (const line of res.json<{ items: BatchLine[] }>().items) {
      assert.equal(line.status, 'ok', JSON.stringify(line).slice(0, 1000));
      if (line.status !== 'ok') continue;
      for (const test of line.result.tests) {
        assert.equal(test.verdict, 'accepted', `${line.id}: ${test.stdout} ${test.stderr}`);
        assertStoppedByInodeLimit(test.stderr, line.id);
      }
    }
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    assert.match(metrics.body, /verdict_sandbox_acquired_total\{source="reused"\} [1-9]/, 'candidates ran in sandboxes their predecessors flooded');
  });

  it('a compile filling /box stops at its inode limit, and a reset empties it', async () => {
    const env = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/tmp', LANG: 'C.UTF-8', PYTHONDONTWRITEBYTECODE: '1' };
    await withSandbox(t, python, 200_101, async (s) => {
      await s.writeFile('main.py', 'print("A")\n');
      // Bounded by itself too, so that without an inode limit it ends (and fails the assertion) rather than runs for ever.
      const fill = [
        'import os',
        'made, err = 0, None',
        'try:',
        '    while made < 200_000:',
        "        os.mkdir(f'/box/d{made}')",
        "        open(f'/box/d{made}/f', 'w').close()",
        '        made += 2',
        'except OSError as e:',
        '    err = e.errno',
        'print(made, err)',
      ].join('\n');
      const compiled = await runOk(s, { phase: 'compile', argv: ['python3', '-c', fill], env });
      assertStoppedByInodeLimit(compiled.stdout.toString(), 'the compile', SANDBOX_INODES);
      // The tests run after the box was sealed over every entry the compile left.
      const sealed = await runOk(s, { argv: ['python3', '-c', 'import os; print(len(os.listdir("/box")))'], env });
      assert.ok(Number(sealed.stdout.toString()) > 1000, sealed.stdout.toString());
      await s.reset(200_102);
      const after = await runOk(s, { argv: ['python3', '-c', 'import os; print(os.listdir("/box"), os.listdir("/tmp"), os.listdir("/dev/shm"))'], env });
      assert.equal(after.stdout.toString(), '[] [] []\n');
    });
  });
});
