/** POST /v1/label on real Docker: outcomes, coverage, line summaries, a failing reference. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LabelResponse } from '../../src/schemas.js';
import { startTestApp } from '../helpers/app.js';

const REFERENCE = [
  'def classify(n):',
  '    if n < 0:',
  '        return "negative"',
  '    if n == 0:',
  '        return "zero"',
  '    if n > 10**9:',
  '        return "huge"',
  '    # everything else is positive',
  '    return "positive"',
  '',
  'print(classify(int(input())))',
  '',
].join('\n');

const TESTS = [
  { id: 'neg', stdin: '-5\n', expectedStdout: 'negative\n' },
  { id: 'zero', stdin: '0\n', expectedStdout: 'zero\n' },
  { id: 'pos', stdin: '7\n', expectedStdout: 'positive\n' },
];

describe('POST /v1/label', async () => {
  const t = await startTestApp({ VERDICT_CONCURRENCY: '2' });

  async function label(body: Record<string, unknown>): Promise<LabelResponse> {
    const res = await t.app.inject({ method: 'POST', url: '/v1/label', payload: body });
    assert.equal(res.statusCode, 200, res.body.slice(0, 2000));
    return res.json<LabelResponse>();
  }

  it('labels each variant killed (by which test, why), survived, or survived without its edit having run', async () => {
    const r = await label({
      language: 'python',
      reference: REFERENCE,
      tests: TESTS,
      cache: false,
      variants: [
        { id: 'off-by-one', tags: { line: 2, kind: 'operator' }, edit: { op: 'replace', startLine: 2, text: '    if n <= 0:' } },
        { id: 'no-body', edit: { op: 'delete', startLine: 3 } },
        { id: 'dead-branch', edit: { op: 'replace', startLine: 7, text: '        return "HUGE"' } },
        { id: 'harmless-insert', edit: { op: 'insert', startLine: 2, text: '    n = int(n)' } },
        { id: 'crash', edit: { op: 'replace', startLine: 9, text: '    raise ValueError("no positives")' } },
        { id: 'off-by-one-again', edit: { op: 'replace', startLine: 2, text: '    if n <= 0:' } },
        { id: 'unchanged', edit: { op: 'replace', startLine: 1, text: 'def classify(n):' } },
        { id: 'loop', source: REFERENCE.replace('    if n < 0:', '    while n < 0:\n        pass\n    if n < 0:') },
      ],
      limits: { timeMs: 1000, wallTimeMs: 3000 },
    });
    assert.equal(r.reference.status, 'passed');
    assert.deepEqual(r.tests, ['neg', 'zero', 'pos']);
    const v = Object.fromEntries(r.variants.map((x) => [x.id, x]));

    assert.equal(v['off-by-one']!.outcome, 'killed');
    assert.deepEqual(v['off-by-one']!.killedBy, { testId: 'zero', cause: 'wrong_answer', verdict: 'wrong_answer' });
    assert.deepEqual(
      v['off-by-one']!.tests!.map((x) => x.verdict),
      ['accepted', 'wrong_answer', 'accepted'],
    );
    assert.deepEqual(v['off-by-one']!.tags, { line: 2, kind: 'operator' });

    assert.equal(v['no-body']!.outcome, 'killed');
    assert.equal(v['no-body']!.killedBy!.cause, 'compile');

    assert.equal(v['dead-branch']!.outcome, 'survived_not_covered');
    assert.equal(v['dead-branch']!.covered, false);

    assert.equal(v['harmless-insert']!.outcome, 'survived');
    assert.equal(v['harmless-insert']!.covered, true);

    assert.equal(v.crash!.outcome, 'killed');
    assert.deepEqual(v.crash!.killedBy, { testId: 'pos', cause: 'runtime', verdict: 'runtime_error' });
    const failure = v.crash!.tests!.find((x) => x.id === 'pos')!.failure!;
    assert.equal(failure.exceptionType, 'ValueError');
    assert.equal(failure.line, 9);

    assert.equal(v['off-by-one-again']!.sameAs, 'off-by-one');
    assert.equal(v['off-by-one-again']!.outcome, 'killed');
    assert.equal(v.unchanged!.sameAs, 'reference');
    assert.equal(v.unchanged!.outcome, 'survived');

    assert.equal(v.loop!.outcome, 'killed');
    assert.deepEqual(v.loop!.killedBy, { testId: 'neg', cause: 'time', verdict: 'time_limit_exceeded' });
    assert.deepEqual(v.loop!.edit.addedVariantLines, [2, 3]);

    // Six distinct programs: the duplicate and the unchanged edit reuse other runs.
    assert.equal(r.summary.judged, 6);
    assert.deepEqual(
      { killed: r.summary.killed, survived: r.summary.survived, notCovered: r.summary.survivedNotCovered },
      { killed: 5, survived: 2, notCovered: 1 },
    );

    const line = (n: number) => r.lines[n - 1]!;
    assert.equal(r.lines.length, 11);
    assert.deepEqual(line(3).executedBy, ['neg']);
    assert.deepEqual(line(7).executedBy, []);
    assert.deepEqual(line(1).executedBy, ['neg', 'zero', 'pos']);
    assert.equal(line(8).kind, 'comment');
    assert.equal(line(10).kind, 'blank');
    assert.equal(line(9).kind, 'code');
    // Line 2: the operator edit, its duplicate, and the loop inserted before it.
    assert.equal(line(2).killed, 3);
    assert.equal(line(7).survivedNotCovered, 1);
    // Statements from Python's own parser: line 3's innermost statement is the return inside the if.
    assert.ok(r.statements);
    const st = r.statements![line(3).statement!]!;
    assert.deepEqual([st.type, st.startLine, st.endLine], ['Return', 3, 3]);
  });

  it('a reference that fails its tests labels nothing and names the failing tests', async () => {
    const r = await label({
      language: 'python',
      reference: REFERENCE.replace('return "zero"', 'return "nil"'),
      tests: TESTS,
      variants: [{ id: 'v', edit: { op: 'delete', startLine: 8 } }],
      cache: false,
    });
    assert.equal(r.reference.status, 'failed');
    assert.deepEqual(r.reference.failingTests, [{ id: 'zero', verdict: 'wrong_answer' }]);
    assert.deepEqual(
      r.variants.map((x) => x.status),
      ['not_run'],
    );
  });

  it('refuses an edit out of range, naming it', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/label',
      payload: { language: 'python', reference: REFERENCE, tests: TESTS, variants: [{ id: 'x', edit: { op: 'delete', startLine: 40 } }] },
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.json<{ message: string }>().message, /^variants\.0\.edit\.startLine: /);
  });

  it('C++: gcov confirms that an edit ran but never denies it', async () => {
    const reference = [
      '#include <cstdio>',
      'int sign(int n) {',
      '  if (n > 1000000) return 2;',
      '  if (n < 0) return -1;',
      '  return 1;',
      '}',
      'int main() { int n; if (scanf("%d", &n) != 1) return 1; printf("%d\\n", sign(n)); }',
      '',
    ].join('\n');
    const r = await label({
      language: 'cpp',
      reference,
      tests: [
        { id: 'neg', stdin: '-4\n', expectedStdout: '-1\n' },
        { id: 'pos', stdin: '4\n', expectedStdout: '1\n' },
      ],
      variants: [
        { id: 'flip', edit: { op: 'replace', startLine: 4, text: '  if (n > 0) return -1;' } },
        { id: 'dead', edit: { op: 'replace', startLine: 3, text: '  if (n > 1000000) return 3;' } },
      ],
      cache: false,
    });
    assert.equal(r.reference.status, 'passed', JSON.stringify(r.reference.failingTests));
    const v = Object.fromEntries(r.variants.map((x) => [x.id, x]));
    assert.equal(v.flip!.outcome, 'killed');
    // The untaken branch: at -O2 gcov cannot be trusted to say a line did not run, so no survived_not_covered.
    assert.equal(v.dead!.outcome, 'survived');
    assert.notEqual(v.dead!.covered, false);
  });

  it('test ids named like inherited properties keep their coverage ("__proto__" included)', async () => {
    const r = await label({
      language: 'python',
      reference: REFERENCE,
      tests: [
        { id: '__proto__', stdin: '-5\n', expectedStdout: 'negative\n' },
        { id: 'constructor', stdin: '0\n', expectedStdout: 'zero\n' },
      ],
      variants: [{ id: 'sign', edit: { op: 'replace', startLine: 3, text: '        return "positive"' } }],
      cache: false,
    });
    assert.equal(r.reference.status, 'passed');
    assert.deepEqual(r.lines[2]!.executedBy, ['__proto__']);
    assert.deepEqual(r.lines[4]!.executedBy, ['constructor']);
    assert.deepEqual(r.lines[0]!.executedBy, ['__proto__', 'constructor']);
    assert.equal(r.variants[0]!.covered, true);
  });

  it('works with a test-code harness, and without coverage for a language that has none', async () => {
    const r = await label({
      language: 'javascript',
      reference: 'function add(a, b) {\n  return a + b;\n}\n',
      testCode: 'console.assert(add(2, 3) === 5);\n',
      // Wall time to spare on a loaded machine: the test code runs in a second Node process.
      limits: { wallTimeMs: 30_000 },
      variants: [
        { id: 'minus', edit: { op: 'replace', startLine: 2, text: '  return a - b;' } },
        { id: 'comment', edit: { op: 'insert', startLine: 1, text: '// adds' } },
      ],
      cache: false,
    });
    assert.equal(r.reference.status, 'passed');
    const v = Object.fromEntries(r.variants.map((x) => [x.id, x]));
    assert.equal(v.minus!.outcome, 'killed');
    // console.assert in the test code failed: the same cause as a wrong output under stdin tests.
    assert.equal(v.minus!.killedBy!.cause, 'wrong_answer');
    assert.equal(v.comment!.outcome, 'survived');
    assert.equal(v.comment!.covered, null);
    assert.equal(r.statements, null);
    assert.equal(r.lines[1]!.executedBy, null);
  });
});
