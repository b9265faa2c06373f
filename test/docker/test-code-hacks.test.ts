/**
 * The test-code hack corpus (test/hostile/cases/test-code-*.ts) against the real service: no
 * wrong program is accepted however it treats the test code, the harness or its own process. The
 * same test code with a right solution is accepted, so each rejection is the trick's, not a broken test.
 * HOSTILE_FILTER=<regex> runs only the cases whose name or language matches.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { startTestApp } from '../helpers/app.js';
import type { SubmissionResult } from '../../src/schemas.js';
import { cases as c } from '../hostile/cases/test-code-c.js';
import { cases as go } from '../hostile/cases/test-code-go.js';
import { cases as java } from '../hostile/cases/test-code-java.js';
import { cases as javascript } from '../hostile/cases/test-code-javascript.js';
import { cases as python } from '../hostile/cases/test-code-python.js';
import { cases as rust } from '../hostile/cases/test-code-rust.js';
import type { TestCodeHack } from '../hostile/cases/test-code-types.js';

const t = await startTestApp({ VERDICT_CONCURRENCY: '2' });
const filter = process.env.HOSTILE_FILTER ? new RegExp(process.env.HOSTILE_FILTER, 'i') : undefined;
const built = new Set(
  (await t.app.inject('/v1/languages')).json<{ languages: Array<{ id: string; imageId: string | null }> }>().languages.filter((l) => l.imageId).map((l) => l.id),
);

function describeResult(r: SubmissionResult): string {
  const compile = r.compile ? `compile ${r.compile.status}: ${r.compile.output.slice(0, 400)}\n` : '';
  const tests = r.tests.map((x) => `  ${x.id}: ${x.verdict} exit=${x.exitCode} signal=${x.signal} stdout=${JSON.stringify(x.stdout.slice(0, 300))} stderr=${JSON.stringify(x.stderr.slice(0, 600))}`);
  return `verdict ${r.verdict}\n${compile}${tests.join('\n')}`;
}

// One table per language family, as the corpus grows (test/hostile/cases/test-code-<family>.ts).
const tables = { c, rust, java, go, python, javascript };
for (const [table, cases] of Object.entries(tables)) {
  describe(`test-code hacks: ${table}`, () => {
    const selected = cases.filter((c) => !filter || filter.test(c.name) || filter.test(c.language));
    const results = new Map<TestCodeHack, { hack: SubmissionResult; right: SubmissionResult }>();
    const judge = (c: TestCodeHack, source: string) =>
      // Wall time to spare on a loaded machine: a paired run starts two interpreters (two Nodes for JavaScript).
      t.submit({
        language: c.language,
        source,
        ...(c.testCode !== undefined ? { testCode: c.testCode } : {}),
        limits: { wallTimeMs: 30_000 },
        ...(c.entryPoint ? { entryPoint: c.entryPoint } : {}),
      });
    before(async () => {
      const runnable = selected.filter((c) => built.has(c.language));
      let next = 0;
      await Promise.all(
        [0, 1].map(async () => {
          while (next < runnable.length) {
            const c = runnable[next++]!;
            results.set(c, { hack: await judge(c, c.source), right: await judge(c, c.right) });
          }
        }),
      );
    });
    for (const c of selected) {
      const expected = [c.expect].flat();
      it(`${c.name} (${c.language}) → ${expected.join(' | ')}`, { skip: built.has(c.language) ? false : `the ${c.language} sandbox image is not built` }, () => {
        assert.ok(!Array.isArray(c.expect) || (c.expect.length > 1 && c.why), 'a list of verdicts says why');
        const { hack: r, right } = results.get(c)!;
        assert.equal(right.verdict, 'accepted', `the right solution: ${describeResult(right)}`);
        assert.ok(expected.includes(r.verdict as (typeof expected)[number]), `expected ${expected.join(' or ')}, got ${describeResult(r)}`);
      });
    }
  });
}
