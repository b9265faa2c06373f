/** The command line (bin/verdict.mjs) against a live service, and its image build. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { startTestApp } from '../helpers/app.js';
import { cli, repoRoot } from '../helpers/cli.js';

describe('verdict CLI', async () => {
  const t = await startTestApp({ VERDICT_CONCURRENCY: '2' });
  const url = await t.app.listen({ host: '127.0.0.1', port: 0 });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'verdict-cli-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('run: one file with stdin; the exit status says accepted or not', async () => {
    const file = path.join(dir, 'add.py');
    writeFileSync(file, 'a, b = map(int, input().split())\nprint(a + b)\n');
    const ok = await cli(['run', file, '--url', url], '2 3\n');
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout, '5\n');
    assert.match(ok.stderr, /verdict: accepted \(exit 0/);
    const crash = path.join(dir, 'crash.cpp');
    writeFileSync(crash, 'int main() { return 3; }\n');
    const bad = await cli(['run', crash, '--url', url]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /verdict: runtime_error \(exit 3/);
  });

  it('eval: a JSONL dataset of problems and completions, summarized', async () => {
    const data = path.join(dir, 'ds.jsonl');
    const rows = [
      { id: 'a', completion: '```python\nprint(sum(map(int, input().split())))\n```', inputs: ['2 3\n', '1 1\n'], outputs: ['5\n', '2\n'] },
      { id: 'b', source: 'print(5)', inputs: ['2 3\n', '1 1\n'], outputs: ['5\n', '2\n'] },
      { id: 'c', completion: 'no code at all', test_code: 'assert f() == 1' },
      { id: 'd', completion: '```python\ndef add(a, b):\n    return a + b\n```', fn_name: 'add', inputs: [[1, 2]], outputs: [3] },
    ];
    writeFileSync(data, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const res = await cli(['eval', data, '--url', url, '--preset', 'fraction']);
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, /pass rate\s+50\.0% \(2\/4\)/);
    assert.match(res.stdout, /mean reward\s+0\.6250 \(fraction\)/);
    assert.match(res.stdout, /wrong_answer\s+1/);
    assert.match(res.stdout, /no code\s+1/);
  });

  it('says what is wrong', async () => {
    const none = await cli(['frobnicate']);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /usage:/);
    const down = await cli(['run', path.join(repoRoot, 'package.json'), '--language', 'python', '--url', 'http://127.0.0.1:9']);
    assert.equal(down.status, 2);
    assert.match(down.stderr, /cannot reach/);
  });

  it('images: builds what is missing with progress, then proves it', async () => {
    const res = await cli(['images', 'python']);
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, /images: python smoke program accepted/);
  });
});
