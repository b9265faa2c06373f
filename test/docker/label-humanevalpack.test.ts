/**
 * POST /v1/label on mechanical single-line mutants of HumanEvalPack Python canonical solutions
 * (test/helpers/mutants.ts), checked against independent POST /v1/submissions runs: the
 * reference passes, every killed variant judged alone fails the way killedBy says, and a survivor
 * is survived_not_covered exactly when independent coverage runs show its edit never ran.
 * bench/label-humanevalpack.ts does the same for all 164 problems. The data is read at test time.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { LabelResponse } from '../../src/schemas.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import {
  checkLabel,
  humanEvalPackDir,
  labelBody,
  loadPythonProblems,
  missingData,
  pythonMutants,
  type Mutant,
  type Post,
  type PythonProblem,
  type Violation,
} from '../helpers/mutants.js';

/**
 * Chosen with the bench: between them, variants killed by a compile error (deleted lines), a
 * runtime error (the failed assert in check()) and the time limit (Python/39: n -= 1 → n += 1
 * loops), survivors, and survived_not_covered (Python/89, /127, /140: a branch no test takes).
 */
const SUBSET = [
  'Python/0',
  'Python/10',
  'Python/39',
  'Python/59',
  'Python/89',
  'Python/94',
  'Python/99',
  'Python/108',
  'Python/127',
  'Python/140',
  'Python/154',
  'Python/159',
];
const IN_FLIGHT = 3;

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const dataDir = humanEvalPackDir(repoRoot);
const skip = process.env.VERDICT_SKIP_HUMANEVALPACK === '1' ? 'VERDICT_SKIP_HUMANEVALPACK=1: HumanEvalPack validation turned off' : false;
// A missing data set must be a red run, not a silently green one: only an explicit opt-out skips.
const dataError = skip ? undefined : missingData(dataDir);
const t: TestApp | undefined = skip || dataError ? undefined : await startTestApp({ VERDICT_CONCURRENCY: '2' });

describe('POST /v1/label on HumanEvalPack python mutants', { skip }, () => {
  const labeled: Array<{ problem: PythonProblem; mutants: Mutant[]; response: LabelResponse }> = [];
  const violations: Violation[] = [];
  let killedChecked = 0;
  let survivorsChecked = 0;

  before(async () => {
    if (dataError) throw new Error(dataError);
    assert.ok(t, 'the test app was not started');
    const post: Post = async (url, body) => {
      const res = await t.app.inject({ method: 'POST', url, payload: body });
      return { statusCode: res.statusCode, body: res.json() as unknown };
    };
    const byId = new Map(loadPythonProblems(dataDir).map((p) => [p.task_id, p]));
    const work = SUBSET.map((id) => {
      const problem = byId.get(id);
      assert.ok(problem, `${id} is not in python.jsonl`);
      return { problem, mutants: pythonMutants(problem.prompt, problem.canonical_solution) };
    });
    // A few problems in flight at once, as a labeling client sends them; each labeled, then checked.
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < work.length) {
          const { problem, mutants } = work[next++]!;
          const res = await post('/v1/label', labelBody(problem, mutants));
          assert.equal(res.statusCode, 200, `${problem.task_id}: ${JSON.stringify(res.body).slice(0, 1000)}`);
          const response = res.body as LabelResponse;
          labeled.push({ problem, mutants, response });
          const r = await checkLabel(post, problem, mutants, response, () => true);
          violations.push(...r.violations);
          killedChecked += r.counts.killedChecked;
          survivorsChecked += r.counts.survivorsChecked;
        }
      }),
    );
    const total = (f: (r: LabelResponse) => number) => labeled.reduce((n, l) => n + f(l.response), 0);
    console.log(
      `label humanevalpack: ${labeled.length} problems, ${total((r) => r.summary.variants)} variants: ` +
        `killed ${total((r) => r.summary.killed)}, survived ${total((r) => r.summary.survived)}, ` +
        `survived_not_covered ${total((r) => r.summary.survivedNotCovered)}; ` +
        `${killedChecked} kills and ${survivorsChecked} survivors checked, ${violations.length} violations`,
    );
  });

  function violationsOf(check: Violation['check']): string {
    return violations
      .filter((v) => v.check === check)
      .map((v) => `${v.taskId}${v.variantId ? ` ${v.variantId}` : ''}: ${v.message}${v.reproduce ? `\n  reproduce: POST /v1/label ${JSON.stringify(v.reproduce)}` : ''}`)
      .join('\n');
  }

  it('(a) every reference passes its tests', () => {
    assert.equal(labeled.length, SUBSET.length);
    const failed = labeled.filter((l) => l.response.reference.status !== 'passed').map((l) => l.problem.task_id);
    assert.deepEqual(failed, []);
    assert.equal(violationsOf('a_reference'), '');
  });

  it('every variant is judged, with the edit facts of its edit', () => {
    assert.equal(violationsOf('status'), '');
    assert.equal(violationsOf('edit_facts'), '');
  });

  it('(b) every killed variant, judged alone, fails as killedBy says, at the test it names', () => {
    const killed = labeled.reduce((n, l) => n + l.response.summary.killed, 0);
    assert.ok(killed > 0);
    assert.equal(killedChecked, killed);
    assert.equal(violationsOf('b_killed'), '');
  });

  it('(c) a survivor is survived_not_covered exactly when independent coverage misses its edit', () => {
    const survivors = labeled.reduce((n, l) => n + l.response.summary.survived + l.response.summary.survivedNotCovered, 0);
    assert.equal(survivorsChecked, survivors);
    assert.equal(violationsOf('c_coverage'), '');
  });

  it('the subset has variants killed by compile, runtime and time, survivors and uncovered survivors', () => {
    const causes = new Set(labeled.flatMap((l) => Object.keys(l.response.summary.killedBy)));
    for (const cause of ['compile', 'runtime', 'time']) assert.ok(causes.has(cause), `no variant killed by ${cause}: ${[...causes].join(', ')}`);
    assert.ok(labeled.some((l) => l.response.summary.survived > 0), 'no variant survived');
    const uncovered = labeled.filter((l) => l.response.summary.survivedNotCovered > 0).map((l) => l.problem.task_id);
    assert.deepEqual(uncovered.sort(), ['Python/127', 'Python/140', 'Python/89']);
  });
});
