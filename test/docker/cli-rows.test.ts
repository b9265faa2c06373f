/**
 * `verdict eval` on every dataset shape of test/fixtures/rows/cases.json that has a right and a
 * wrong program: all the right ones accepted, all the wrong ones rejected, on real sandboxes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { startTestApp } from '../helpers/app.js';
import { cli } from '../helpers/cli.js';

const cases = (JSON.parse(readFileSync(new URL('../fixtures/rows/cases.json', import.meta.url), 'utf8')) as Array<Record<string, any>>).filter(
  (c) => c.right !== undefined,
);

describe('verdict eval reads each dataset shape as its evaluator does', async () => {
  const t = await startTestApp({ VERDICT_CONCURRENCY: '2' });
  const url = await t.app.listen({ host: '127.0.0.1', port: 0 });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'verdict-rows-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const evaluate = async (which: 'right' | 'wrong') => {
    const file = path.join(dir, `${which}.jsonl`);
    writeFileSync(file, cases.map((c, i) => JSON.stringify({ ...c.row, id: `${i}`, source: c[which] })).join('\n') + '\n');
    const res = await cli(['eval', file, '--url', url]);
    assert.equal(res.status, 0, res.stderr);
    return res.stdout;
  };

  it(`accepts the right program of each of ${cases.length} shapes`, async () => {
    const out = await evaluate('right');
    assert.match(out, new RegExp(`pass rate\\s+100\\.0% \\(${cases.length}/${cases.length}\\)`), out);
  });

  it('rejects the wrong program of each', async () => {
    const out = await evaluate('wrong');
    assert.match(out, new RegExp(`pass rate\\s+0\\.0% \\(0/${cases.length}\\)`), out);
    assert.match(out, /no code\s+0/);
  });

  it('refuses an unreadable row with its line and the reason', async () => {
    const file = path.join(dir, 'bad.jsonl');
    writeFileSync(file, `${JSON.stringify({ source: 'print(1)', inputs: [], outputs: [] })}\n`);
    const res = await cli(['eval', file, '--url', url]);
    assert.equal(res.status, 2);
    assert.match(res.stderr, /bad\.jsonl:1: inputs: empty; a problem without tests would accept any program that exits 0/);
  });
});
