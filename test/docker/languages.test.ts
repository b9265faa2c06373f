/**
 * Every language beyond the first two: its verdict table (test/fixtures/languages/<id>.ts)
 * through the real service, and what GET /v1/languages says of it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { languageIds } from '../../src/languages/ids.js';
import type { LanguageCase } from '../fixtures/languages/types.js';
import { startTestApp } from '../helpers/app.js';

// Python's and C++'s tables are in verdicts.test.ts; every other language must have one here.
const all = languageIds.filter((id) => id !== 'python' && id !== 'cpp');
// While working on one language: VERDICT_TEST_LANGUAGES=rust runs only its table.
const ids = process.env.VERDICT_TEST_LANGUAGES ? all.filter((id) => process.env.VERDICT_TEST_LANGUAGES!.split(',').includes(id)) : all;
const tables = new Map<string, LanguageCase[]>();
for (const id of ids) tables.set(id, ((await import(`../fixtures/languages/${id}.js`)) as { cases: LanguageCase[] }).cases);

const t = await startTestApp();

for (const id of ids) {
  describe(`${id} verdicts`, () => {
    const cases = tables.get(id)!;
    it('covers every verdict a program can earn', () => {
      const covered = new Set(cases.map((c) => c.expect));
      for (const v of ['accepted', 'wrong_answer', 'compile_error', 'runtime_error', 'time_limit_exceeded', 'memory_limit_exceeded'] as const) {
        assert.ok(covered.has(v), `${id} has no ${v} case`);
      }
    });
    for (const c of cases) {
      it(c.name, async () => {
        const program = c.files ? { files: c.files } : { source: c.source };
        // Filling memory takes wall time a loaded machine may not give within the default 5 s: a
        // memory case is about memory, so it gets room enough not to end as a timeout first.
        const limits = c.expect === 'memory_limit_exceeded' ? { wallTimeMs: 30_000, ...c.limits } : c.limits;
        const result = await t.submit({ language: id, ...program, ...(c.tests ? { tests: c.tests } : {}), ...(limits ? { limits } : {}) });
        const first = result.tests.find((x) => x.verdict !== 'accepted') ?? result.tests[0];
        assert.equal(result.verdict, c.expect, `compile: ${result.compile?.status} ${result.compile?.output.slice(0, 600)}\nfirst test: ${JSON.stringify(first)?.slice(0, 800)}`);
      });
    }
  });
}

describe('GET /v1/languages', () => {
  it('reports each language with its exact toolchain version and commands', { skip: ids.length < all.length && 'only some languages selected' }, async () => {
    const res = await t.app.inject('/v1/languages');
    const body = res.json<{ languages: Array<{ id: string; aliases: string[]; version: string | null; sourceFile: string; runCommand: string; compileCommand: string | null }> }>();
    assert.deepEqual(body.languages.map((l) => l.id), ['python', 'cpp', 'c', 'java', 'javascript', 'typescript', 'go', 'rust']);
    for (const l of body.languages) {
      assert.ok(l.version && /\d+\.\d+/.test(l.version), `${l.id} reports version ${l.version}`);
      assert.ok(l.runCommand.length > 0 && l.sourceFile.length > 0);
    }
    const aliases = Object.fromEntries(body.languages.map((l) => [l.id, l.aliases]));
    assert.ok(aliases.cpp!.includes('c++') && aliases.python!.includes('py') && aliases.javascript!.includes('js') && aliases.typescript!.includes('ts'));
  });
});
