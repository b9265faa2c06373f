/**
 * The working directory during tests: a program may create files in it (SandboxFusion's own
 * `fetch_files` test writes `a.txt` there), cannot change or remove what it was given, and
 * what it created is gone before the next test and before the next candidate.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { BatchLine } from '../../src/schemas.js';
import { startTestApp } from '../helpers/app.js';

// One slot and no warm pool: a batch's programs run one after another in the same sandbox.
const t = await startTestApp({ VERDICT_CONCURRENCY: '1', VERDICT_POOL_MAX_IDLE: '0' });

/** Python: what each attempt on a given file ends in, one per line. */
const ATTEMPTS = [
  'import os',
  'def attempt(f):',
  '    try:',
  '        f()',
  '        return "allowed"',
  '    except OSError as e:',
  '        return type(e).__name__',
  'open("mine.txt", "w").write("x")',
  'for name in ("main.py", "data.txt", "sub/given.txt"):',
  '    print(name,',
  '          attempt(lambda: open(name, "a").write("#")),',
  '          attempt(lambda: os.unlink(name)),',
  '          attempt(lambda: os.rename(name, "moved")),',
  '          attempt(lambda: os.rename("mine.txt", name)),',
  '          attempt(lambda: os.chmod(name, 0o777)),',
  '          attempt(lambda: os.link(name, "linked")))',
  'print("sub", attempt(lambda: open("sub/new.txt", "w")), attempt(lambda: os.rmdir("sub")))',
  'print(open("data.txt").read(), open("sub/given.txt").read())',
];

/** Python: the box as the program sees it, and whether each given file is intact. */
const LIST_BOX = [
  'def walk(root):',
  '    out = []',
  '    for d, dirs, files in os.walk(root):',
  '        out += [os.path.relpath(os.path.join(d, n), root) for n in dirs + files]',
  '    return sorted(out)',
];

describe('the working directory during tests', () => {
  it('a program writes a file in its working directory and reads it back', async () => {
    const r = await t.submit({
      language: 'python',
      source: 'open("a.txt", "w").write("hello")\nprint(open("a.txt").read())\n',
      tests: [{ expectedStdout: 'hello\n' }],
      cache: false,
    });
    assert.equal(r.verdict, 'accepted', r.tests[0]?.stderr);
  });

  it("SandboxFusion's run_code: a.txt written in the working directory", async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/run_code',
      payload: { language: 'python', code: 'with open("a.txt", "w") as f:\n    f.write("123")\nprint(open("a.txt").read())\n' },
    });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json<{ status: string; run_result: { stdout: string; stderr: string } }>();
    assert.equal(body.status, 'Success', body.run_result.stderr);
    assert.equal(body.run_result.stdout, '123\n');
  });

  it('the given source, data files and directories cannot be changed, moved, replaced or removed', async () => {
    const r = await t.submit({
      language: 'python',
      files: [
        { path: 'main.py', content: ATTEMPTS.join('\n') },
        { path: 'data.txt', content: 'given' },
        { path: 'sub/given.txt', content: 'nested' },
      ],
      tests: [
        {
          expectedStdout: [
            ...['main.py', 'data.txt', 'sub/given.txt'].map((n) => `${n} PermissionError PermissionError PermissionError PermissionError PermissionError PermissionError`),
            'sub PermissionError PermissionError',
            'given nested',
          ].join('\n'),
        },
      ],
      cache: false,
    });
    assert.equal(r.verdict, 'accepted', `${r.tests[0]?.stdout}\n${r.tests[0]?.stderr}`);
  });

  it('what a test created is gone in the next test; the given files are intact', async () => {
    const source = [
      'import os, sys',
      ...LIST_BOX,
      'if sys.argv[1] == "plant":',
      '    open("a.txt", "w").write("from test 1")',
      '    os.makedirs("made/deep/er")',
      '    open("made/deep/er/f", "w").write("x")',
      '    os.mkfifo("made/fifo")',
      '    os.symlink("/etc", "link")',
      '    os.chmod("made/deep/er", 0)',
      '    os.chmod("made", 0o500)',
      '    print(walk("."))',
      'else:',
      '    print(walk("."), open("data.txt").read())',
    ].join('\n');
    const r = await t.submit({
      language: 'python',
      files: [
        { path: 'main.py', content: source },
        { path: 'data.txt', content: 'given' },
      ],
      tests: [
        { args: ['plant'], expectedStdout: "['a.txt', 'data.txt', 'link', 'made', 'made/deep', 'made/deep/er', 'made/fifo', 'main.py']" },
        { args: ['check'], expectedStdout: "['data.txt', 'main.py'] given" },
        { args: ['plant'], expectedStdout: "['a.txt', 'data.txt', 'link', 'made', 'made/deep', 'made/deep/er', 'made/fifo', 'main.py']" },
        { args: ['check'], expectedStdout: "['data.txt', 'main.py'] given" },
      ],
      cache: false,
    });
    assert.deepEqual(
      r.tests.map((x) => x.verdict),
      ['accepted', 'accepted', 'accepted', 'accepted'],
      JSON.stringify(r.tests.map((x) => x.stdout + x.stderr)),
    );
  });

  it('the next candidate in a batch, in the same sandbox, sees none of it', async () => {
    const planter = 'open("a.txt", "w").write("secret")\nos.mkdir("made")\nopen("made/b.txt", "w").write("secret")\nprint(sorted(os.listdir(".")))\n';
    const looker = 'print(sorted(os.listdir(".")))\n';
    const items = [
      { id: 'planter', source: `import os\n${planter}# ${randomUUID()}\n`, tests: [{ expectedStdout: "['a.txt', 'made', 'main.py']" }] },
      { id: 'looker', source: `import os\n${looker}# ${randomUUID()}\n`, tests: [{ expectedStdout: "['main.py']" }] },
    ];
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/batch',
      payload: { problem: { language: 'python' }, items, cache: false },
      headers: { accept: 'application/json' },
    });
    assert.equal(res.statusCode, 200, res.body);
    const lines = res.json<{ items: BatchLine[] }>().items;
    for (const line of lines) {
      assert.ok(line.status === 'ok', JSON.stringify(line));
      assert.equal(line.result.verdict, 'accepted', `${line.id}: ${line.result.tests[0]?.stdout}${line.result.tests[0]?.stderr}`);
    }
    const reused = await t.app.inject({ method: 'GET', url: '/metrics' });
    assert.match(reused.body, /verdict_sandbox_acquired_total\{source="reused"\} [1-9]/, 'the looker ran in the planter\'s sandbox');
  });

  it('C: the compiled binary survives every test; what each test created does not', async () => {
    const source = `
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(void) {
  /* O_EXCL: fails with EEXIST if a previous test's file was left. */
  int fd = open("out.txt", O_WRONLY | O_CREAT | O_EXCL, 0644);
  if (fd < 0) { printf("out.txt: %s\\n", strerror(errno)); return 1; }
  if (write(fd, "x", 1) != 1) return 1;
  close(fd);
  int w = open("main", O_WRONLY);
  int u = unlink("main");
  int r = rename("out.txt", "main");
  printf("%d %d %d %d\\n", w < 0, u < 0, r < 0, access("main", X_OK) == 0);
  return 0;
}
`;
    const r = await t.submit({ language: 'c', source, tests: [{ expectedStdout: '1 1 1 1' }, { expectedStdout: '1 1 1 1' }, { expectedStdout: '1 1 1 1' }], cache: false });
    assert.equal(r.compile?.status, 'ok', JSON.stringify(r.compile));
    assert.deepEqual(
      r.tests.map((x) => x.verdict),
      ['accepted', 'accepted', 'accepted'],
      JSON.stringify(r.tests.map((x) => x.stdout + x.stderr)),
    );
  });
});
