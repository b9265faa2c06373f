import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CompileStatus, Verdict } from '../../src/domain/vocabulary.js';
import { BadRequestError } from '../../src/errors.js';
import { applyEdit, lineCount, wholeProgramVariant, type Edit, type Variant } from '../../src/label/edits.js';
import { editCovered, lineSummaries, variantOutcome, type VariantOutcome } from '../../src/label/outcomes.js';
import type { SubmissionResult, TestResult } from '../../src/schemas.js';

const REF = 'a\nb\nc\n';
const W = 'variants.3.edit';

function mapping(v: Variant, lines: number): Array<number | undefined> {
  return Array.from({ length: lines }, (_, i) => v.toReferenceLine(i + 1));
}

function rejects(reference: string, edit: Edit, message: string): void {
  assert.throws(
    () => applyEdit(reference, edit, W),
    (e: unknown) => e instanceof BadRequestError && e.code === 'VERDICT_INVALID_REQUEST' && e.statusCode === 400 && e.message === message,
  );
}

describe('applyEdit: replace', () => {
  it('replaces one line and maps the others', () => {
    const v = applyEdit(REF, { op: 'replace', startLine: 2, text: 'B' }, W);
    assert.equal(v.source, 'a\nB\nc\n');
    assert.deepEqual(v.removedReferenceLines, [2]);
    assert.deepEqual(v.addedVariantLines, [2]);
    assert.deepEqual(v.anchorReferenceLines, [2]);
    assert.deepEqual(mapping(v, 3), [1, undefined, 3]);
  });
  it('replaces a block with more lines, shifting the lines after it', () => {
    const v = applyEdit('a\nb\nc\nd\n', { op: 'replace', startLine: 2, endLine: 3, text: 'x\ny\nz\n' }, W);
    assert.equal(v.source, 'a\nx\ny\nz\nd\n');
    assert.deepEqual(v.removedReferenceLines, [2, 3]);
    assert.deepEqual(v.addedVariantLines, [2, 3, 4]);
    assert.deepEqual(v.anchorReferenceLines, [2, 3]);
    assert.deepEqual(mapping(v, 5), [1, undefined, undefined, undefined, 4]);
  });
  it('replaces a block with fewer lines', () => {
    const v = applyEdit('a\nb\nc\nd\n', { op: 'replace', startLine: 1, endLine: 3, text: 'x' }, W);
    assert.equal(v.source, 'x\nd\n');
    assert.deepEqual(mapping(v, 2), [undefined, 4]);
  });
  it('replaces the first and the last line', () => {
    assert.equal(applyEdit(REF, { op: 'replace', startLine: 1, text: 'A' }, W).source, 'A\nb\nc\n');
    const last = applyEdit(REF, { op: 'replace', startLine: 3, text: 'C' }, W);
    assert.equal(last.source, 'a\nb\nC\n');
    assert.deepEqual(last.addedVariantLines, [3]);
  });
  it('turns "" into one empty line, not a deletion', () => {
    assert.equal(applyEdit(REF, { op: 'replace', startLine: 2, text: '' }, W).source, 'a\n\nc\n');
    assert.equal(applyEdit(REF, { op: 'replace', startLine: 2, text: '\n' }, W).source, 'a\n\nc\n');
    assert.equal(applyEdit(REF, { op: 'replace', startLine: 2, text: 'x\n\n' }, W).source, 'a\nx\n\nc\n');
  });
  it('allows an edit that changes nothing', () => {
    const v = applyEdit(REF, { op: 'replace', startLine: 2, text: 'b' }, W);
    assert.equal(v.source, REF);
    assert.deepEqual(v.removedReferenceLines, [2]);
  });
  it('answers undefined for lines that are not in the variant', () => {
    const v = applyEdit(REF, { op: 'replace', startLine: 2, text: 'B' }, W);
    assert.equal(v.toReferenceLine(0), undefined);
    assert.equal(v.toReferenceLine(4), undefined);
    assert.equal(v.toReferenceLine(1.5), undefined);
  });
});

describe('applyEdit: insert', () => {
  it('inserts before a middle line', () => {
    const v = applyEdit(REF, { op: 'insert', startLine: 2, text: 'x\ny' }, W);
    assert.equal(v.source, 'a\nx\ny\nb\nc\n');
    assert.deepEqual(v.removedReferenceLines, []);
    assert.deepEqual(v.addedVariantLines, [2, 3]);
    assert.deepEqual(v.anchorReferenceLines, [2]);
    assert.deepEqual(mapping(v, 5), [1, undefined, undefined, 2, 3]);
  });
  it('inserts before the first line', () => {
    const v = applyEdit(REF, { op: 'insert', startLine: 1, text: 'x' }, W);
    assert.equal(v.source, 'x\na\nb\nc\n');
    assert.deepEqual(v.anchorReferenceLines, [1]);
    assert.deepEqual(mapping(v, 4), [undefined, 1, 2, 3]);
  });
  it('appends with startLine = lineCount + 1, anchored on the last line', () => {
    const v = applyEdit(REF, { op: 'insert', startLine: 4, text: 'x\n' }, W);
    assert.equal(v.source, 'a\nb\nc\nx\n');
    assert.deepEqual(v.addedVariantLines, [4]);
    assert.deepEqual(v.anchorReferenceLines, [3]);
    assert.deepEqual(mapping(v, 4), [1, 2, 3, undefined]);
  });
  it('appends to a reference without a trailing newline and keeps it without one', () => {
    assert.equal(applyEdit('a\nb', { op: 'insert', startLine: 3, text: 'x' }, W).source, 'a\nb\nx');
    assert.equal(applyEdit('a\nb', { op: 'insert', startLine: 1, text: 'x' }, W).source, 'x\na\nb');
  });
  it('inserts into an empty reference', () => {
    const v = applyEdit('', { op: 'insert', startLine: 1, text: 'x' }, W);
    assert.equal(v.source, 'x\n');
    assert.deepEqual(v.anchorReferenceLines, []);
    assert.deepEqual(v.addedVariantLines, [1]);
  });
});

describe('applyEdit: delete', () => {
  it('deletes a middle line', () => {
    const v = applyEdit(REF, { op: 'delete', startLine: 2 }, W);
    assert.equal(v.source, 'a\nc\n');
    assert.deepEqual(v.removedReferenceLines, [2]);
    assert.deepEqual(v.addedVariantLines, []);
    assert.deepEqual(v.anchorReferenceLines, [2]);
    assert.deepEqual(mapping(v, 2), [1, 3]);
  });
  it('deletes the first line and a block through the last line', () => {
    assert.equal(applyEdit(REF, { op: 'delete', startLine: 1 }, W).source, 'b\nc\n');
    const v = applyEdit(REF, { op: 'delete', startLine: 2, endLine: 3 }, W);
    assert.equal(v.source, 'a\n');
    assert.deepEqual(v.removedReferenceLines, [2, 3]);
  });
  it('deletes the last line of a reference without a trailing newline', () => {
    assert.equal(applyEdit('a\nb\nc', { op: 'delete', startLine: 3 }, W).source, 'a\nb');
  });
  it('deletes everything', () => {
    assert.equal(applyEdit(REF, { op: 'delete', startLine: 1, endLine: 3 }, W).source, '');
  });
});

describe('applyEdit: line endings', () => {
  const CRLF = 'a\r\nb\r\nc\r\n';
  it('writes new lines in the reference\'s CRLF style, whatever the text uses', () => {
    assert.equal(applyEdit(CRLF, { op: 'replace', startLine: 2, text: 'x\ny' }, W).source, 'a\r\nx\r\ny\r\nc\r\n');
    assert.equal(applyEdit(CRLF, { op: 'insert', startLine: 4, text: 'x\r\n' }, W).source, 'a\r\nb\r\nc\r\nx\r\n');
    assert.equal(applyEdit(CRLF, { op: 'delete', startLine: 3 }, W).source, 'a\r\nb\r\n');
  });
  it('normalizes CRLF text to an LF reference', () => {
    assert.equal(applyEdit(REF, { op: 'replace', startLine: 1, text: 'x\r\ny\r\n' }, W).source, 'x\ny\nb\nc\n');
  });
  it('keeps CRLF without a trailing newline', () => {
    assert.equal(applyEdit('a\r\nb', { op: 'insert', startLine: 3, text: 'x' }, W).source, 'a\r\nb\r\nx');
    assert.equal(applyEdit('a\r\nb', { op: 'replace', startLine: 2, text: 'y' }, W).source, 'a\r\ny');
  });
  it('leaves untouched lines of a mixed file byte for byte', () => {
    assert.equal(applyEdit('a\r\nb\nc\r\n', { op: 'replace', startLine: 3, text: 'z' }, W).source, 'a\r\nb\nz\r\n');
  });
  it('counts lines as the edits do', () => {
    assert.equal(lineCount(''), 0);
    assert.equal(lineCount('\n'), 1);
    assert.equal(lineCount('a\nb'), 2);
    assert.equal(lineCount('a\r\nb\r\n'), 2);
  });
});

describe('applyEdit: errors', () => {
  it('requires text for replace and insert and forbids it for delete', () => {
    rejects(REF, { op: 'replace', startLine: 1 }, `${W}.text: replace needs text`);
    rejects(REF, { op: 'insert', startLine: 1 }, `${W}.text: insert needs text`);
    rejects(REF, { op: 'delete', startLine: 1, text: '' }, `${W}.text: delete takes no text`);
    rejects(REF, { op: 'replace', startLine: 1, text: 3 as unknown as string }, `${W}.text: must be a string`);
  });
  it('rejects an unknown op', () => {
    rejects(REF, { op: 'swap' as 'replace', startLine: 1 }, `${W}.op: must be one of replace, insert, delete, got "swap"`);
  });
  it('names the valid range of startLine', () => {
    rejects(REF, { op: 'replace', startLine: 0, text: 'x' }, `${W}.startLine: must be an integer from 1 to 3, got 0`);
    rejects(REF, { op: 'delete', startLine: 4 }, `${W}.startLine: must be an integer from 1 to 3, got 4`);
    rejects(REF, { op: 'delete', startLine: 1.5 }, `${W}.startLine: must be an integer from 1 to 3, got 1.5`);
    rejects(REF, { op: 'delete', startLine: '2' as unknown as number }, `${W}.startLine: must be an integer from 1 to 3, got "2"`);
    rejects(REF, { op: 'delete' } as Edit, `${W}.startLine: must be an integer from 1 to 3, got undefined`);
    rejects(REF, { op: 'insert', startLine: 5, text: 'x' }, `${W}.startLine: must be an integer from 1 to 4, got 5`);
    rejects('', { op: 'delete', startLine: 1 }, `${W}.startLine: the reference has no lines to delete, got 1`);
  });
  it('names the valid range of endLine', () => {
    rejects(REF, { op: 'replace', startLine: 2, endLine: 1, text: 'x' }, `${W}.endLine: must be an integer from 2 to 3, got 1`);
    rejects(REF, { op: 'delete', startLine: 2, endLine: 4 }, `${W}.endLine: must be an integer from 2 to 3, got 4`);
    rejects(REF, { op: 'delete', startLine: 2, endLine: 2.5 }, `${W}.endLine: must be an integer from 2 to 3, got 2.5`);
    rejects(REF, { op: 'insert', startLine: 2, endLine: 2, text: 'x' }, `${W}.endLine: insert takes no endLine`);
  });
});

describe('wholeProgramVariant', () => {
  const ref = 'l1\nl2\nl3\nl4\nl5\n';
  it('finds one changed line', () => {
    const v = wholeProgramVariant(ref, 'l1\nl2\nX\nl4\nl5\n');
    assert.equal(v.source, 'l1\nl2\nX\nl4\nl5\n');
    assert.deepEqual(v.removedReferenceLines, [3]);
    assert.deepEqual(v.addedVariantLines, [3]);
    assert.deepEqual(v.anchorReferenceLines, [3]);
    assert.deepEqual(mapping(v, 5), [1, 2, undefined, 4, 5]);
  });
  it('finds an inserted block and anchors it on the line it precedes', () => {
    const v = wholeProgramVariant(ref, 'l1\nl2\nx\ny\nl3\nl4\nl5\n');
    assert.deepEqual(v.removedReferenceLines, []);
    assert.deepEqual(v.addedVariantLines, [3, 4]);
    assert.deepEqual(v.anchorReferenceLines, [3]);
    assert.deepEqual(mapping(v, 7), [1, 2, undefined, undefined, 3, 4, 5]);
  });
  it('anchors an appended block on the last line', () => {
    const v = wholeProgramVariant(ref, `${ref}x\n`);
    assert.deepEqual(v.addedVariantLines, [6]);
    assert.deepEqual(v.anchorReferenceLines, [5]);
  });
  it('finds a deleted block', () => {
    const v = wholeProgramVariant(ref, 'l1\nl5\n');
    assert.deepEqual(v.removedReferenceLines, [2, 3, 4]);
    assert.deepEqual(v.addedVariantLines, []);
    assert.deepEqual(v.anchorReferenceLines, [2, 3, 4]);
    assert.deepEqual(mapping(v, 2), [1, 5]);
  });
  it('finds nothing in an identical program, even with other line endings', () => {
    for (const same of [ref, ref.replaceAll('\n', '\r\n'), ref.slice(0, -1)]) {
      const v = wholeProgramVariant(ref, same);
      assert.deepEqual(v.removedReferenceLines, []);
      assert.deepEqual(v.addedVariantLines, []);
      assert.deepEqual(v.anchorReferenceLines, []);
      assert.deepEqual(mapping(v, 5), [1, 2, 3, 4, 5]);
    }
  });
  it('finds several hunks, each anchored on its own', () => {
    const v = wholeProgramVariant(ref, 'l1\nX\nl3\nl4\nnew\nl5\n');
    assert.deepEqual(v.removedReferenceLines, [2]);
    assert.deepEqual(v.addedVariantLines, [2, 5]);
    assert.deepEqual(v.anchorReferenceLines, [2, 5]);
    assert.deepEqual(mapping(v, 6), [1, undefined, 3, 4, undefined, 5]);
  });
  it('finds the longest common subsequence, not just a common prefix and suffix', () => {
    // Middle: a b c a b b a → c b a b a c (the classic Myers example, distance 5).
    const v = wholeProgramVariant('s\na\nb\nc\na\nb\nb\na\ne\n', 's\nc\nb\na\nb\na\nc\ne\n');
    const kept = mapping(v, 8).filter((r) => r !== undefined);
    assert.equal(kept.length, 2 + 4);
    assert.equal(v.removedReferenceLines.length + v.addedVariantLines.length, 5);
    assert.deepEqual([...kept].sort((x, y) => x - y), kept, 'the mapping is monotonic');
    const refLines = 's\na\nb\nc\na\nb\nb\na\ne'.split('\n');
    const varLines = 's\nc\nb\na\nb\na\nc\ne'.split('\n');
    for (let j = 1; j <= 8; j++) {
      const r = v.toReferenceLine(j);
      if (r !== undefined) assert.equal(varLines[j - 1], refLines[r - 1]);
    }
  });
  it('keeps as many lines as a longest common subsequence, on seeded random programs', () => {
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const lcs = (a: string[], b: string[]) => {
      const dp = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
      for (let i = 1; i <= a.length; i++)
        for (let j = 1; j <= b.length; j++) dp[i]![j] = a[i - 1] === b[j - 1] ? dp[i - 1]![j - 1]! + 1 : Math.max(dp[i - 1]![j]!, dp[i]![j - 1]!);
      return dp[a.length]![b.length]!;
    };
    for (let round = 0; round < 200; round++) {
      const a = Array.from({ length: rand(12) }, () => 'abc'[rand(3)]!);
      const b = Array.from({ length: rand(12) }, () => 'abc'[rand(3)]!);
      const v = wholeProgramVariant(a.map((l) => `${l}\n`).join(''), b.map((l) => `${l}\n`).join(''));
      const kept = mapping(v, b.length);
      const pairs = kept.flatMap((r, j) => (r === undefined ? [] : [[r, j + 1] as const]));
      assert.equal(pairs.length, lcs(a, b), `${a.join('')} → ${b.join('')}`);
      for (const [r, j] of pairs) assert.equal(a[r - 1], b[j - 1]);
      for (let k = 1; k < pairs.length; k++) assert.ok(pairs[k]![0] > pairs[k - 1]![0], 'the mapping is monotonic');
      assert.equal(v.removedReferenceLines.length, a.length - pairs.length);
      assert.equal(v.addedVariantLines.length, b.length - pairs.length);
    }
  });
  it('agrees with applyEdit on what an edit changed', () => {
    const big = Array.from({ length: 40 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
    const edits: Edit[] = [
      { op: 'replace', startLine: 10, endLine: 12, text: 'p\nq' },
      { op: 'insert', startLine: 1, text: 'head' },
      { op: 'insert', startLine: 20, text: 'mid1\nmid2' },
      { op: 'insert', startLine: 41, text: 'tail' },
      { op: 'delete', startLine: 40 },
      { op: 'delete', startLine: 1, endLine: 5 },
    ];
    for (const edit of edits) {
      const e = applyEdit(big, edit, W);
      const w = wholeProgramVariant(big, e.source);
      assert.deepEqual(w.removedReferenceLines, e.removedReferenceLines, JSON.stringify(edit));
      assert.deepEqual(w.addedVariantLines, e.addedVariantLines, JSON.stringify(edit));
      assert.deepEqual(w.anchorReferenceLines, e.anchorReferenceLines, JSON.stringify(edit));
      const n = lineCount(e.source);
      assert.deepEqual(mapping(w, n), mapping(e, n), JSON.stringify(edit));
    }
  });
  it('handles empty programs on either side', () => {
    const added = wholeProgramVariant('', 'x\ny\n');
    assert.deepEqual(added.addedVariantLines, [1, 2]);
    assert.deepEqual(added.anchorReferenceLines, []);
    const emptied = wholeProgramVariant('x\ny\n', '');
    assert.deepEqual(emptied.removedReferenceLines, [1, 2]);
    assert.deepEqual(emptied.anchorReferenceLines, [1, 2]);
  });
  it('treats a rewrite beyond the diff bounds as changed throughout, keeping the common ends', () => {
    // Every middle line differs: a distance of 2 × 1200 exceeds the bound, so the fallback answers.
    const mid = (tag: string) => Array.from({ length: 1200 }, (_, i) => `${tag}${i}`);
    const reference = ['head', ...mid('r'), 'tail'].join('\n');
    const v = wholeProgramVariant(reference, ['head', ...mid('v'), 'tail'].join('\n'));
    assert.equal(v.removedReferenceLines.length, 1200);
    assert.equal(v.addedVariantLines.length, 1200);
    assert.equal(v.toReferenceLine(1), 1);
    assert.equal(v.toReferenceLine(1202), 1202);
    assert.equal(v.toReferenceLine(2), undefined);
  });
});

// --- outcomes ---

function test(id: string, verdict: Verdict): TestResult {
  return {
    id,
    verdict,
    exitCode: verdict === 'accepted' ? 0 : 1,
    signal: null,
    cpuTimeMs: 1,
    wallTimeMs: 1,
    peakMemoryBytes: 1,
    stdout: '',
    stdoutTruncated: false,
    stderr: '',
    stderrTruncated: false,
  };
}

function result(tests: TestResult[], compileStatus?: CompileStatus): SubmissionResult {
  const compiled = compileStatus === undefined || compileStatus === 'ok' || (compileStatus as string) === 'skipped';
  const first = tests.find((t) => t.verdict !== 'accepted');
  return {
    verdict: compiled ? (first?.verdict ?? 'accepted') : 'compile_error',
    passed: tests.filter((t) => t.verdict === 'accepted').length,
    total: tests.length,
    compile:
      compileStatus === undefined
        ? null
        : { status: compileStatus, exitCode: compiled ? 0 : 1, signal: null, output: '', outputTruncated: false, cpuTimeMs: 1, wallTimeMs: 1, peakMemoryBytes: 1 },
    tests,
    manifest: {
      language: 'python',
      languageVersion: '3.12',
      image: 'verdict/python',
      imageId: 'sha256:0',
      limits: { compileTimeMs: 1, compileMemoryBytes: 1, timeMs: 1, wallTimeMs: 1, memoryBytes: 1, outputBytes: 1, processes: 1, totalWallTimeMs: 1 },
      checker: { mode: 'lines', absTolerance: 1e-6, relTolerance: 1e-6 },
      supervisorProtocol: 1,
      instanceId: 'test',
    },
    wallTimeMs: 1,
    cache: 'off',
  };
}

const accepted = () => result([test('t1', 'accepted'), test('t2', 'accepted')]);
/** Line 2 replaced by one line; line 2 of the variant is the edit. */
const replaced = applyEdit(REF, { op: 'replace', startLine: 2, text: 'B' }, W);
const deleted = applyEdit(REF, { op: 'delete', startLine: 2 }, W);
const inserted = applyEdit(REF, { op: 'insert', startLine: 2, text: 'x' }, W);

describe('variantOutcome: kills', () => {
  it('kills on a failed compile, naming the first test', () => {
    for (const status of ['failed', 'time_limit_exceeded', 'memory_limit_exceeded'] as const) {
      const r = result([test('t1', 'skipped'), test('t2', 'skipped')], status);
      const o = variantOutcome(replaced, { result: r }, undefined);
      assert.equal(o.outcome, 'killed');
      assert.deepEqual(o.killedBy, { testId: 't1', cause: 'compile', verdict: 'compile_error' });
    }
  });
  it('kills on a failed compile with no tests, naming no test', () => {
    const o = variantOutcome(replaced, { result: result([], 'failed') }, undefined);
    assert.deepEqual(o.killedBy, { testId: '', cause: 'compile', verdict: 'compile_error' });
  });
  it('does not count a compile that passed or was skipped', () => {
    assert.equal(variantOutcome(replaced, { result: result([test('t1', 'accepted')], 'ok') }, undefined).outcome, 'survived');
    assert.equal(variantOutcome(replaced, { result: result([test('t1', 'accepted')], 'skipped' as string as CompileStatus) }, undefined).outcome, 'survived');
  });
  it('maps each failing verdict to its cause', () => {
    const cases: Array<[Verdict, string]> = [
      ['runtime_error', 'runtime'],
      ['wrong_answer', 'wrong_answer'],
      ['time_limit_exceeded', 'time'],
      ['memory_limit_exceeded', 'memory'],
      ['output_limit_exceeded', 'output'],
    ];
    for (const [verdict, cause] of cases) {
      const o = variantOutcome(replaced, { result: result([test('t1', 'accepted'), test('t2', verdict)]) }, undefined);
      assert.equal(o.outcome, 'killed');
      assert.deepEqual(o.killedBy, { testId: 't2', cause, verdict });
    }
  });
  it('names the first failing test in test order, past skipped ones', () => {
    const r = result([test('t1', 'accepted'), test('t2', 'skipped'), test('t3', 'time_limit_exceeded'), test('t4', 'wrong_answer')]);
    assert.deepEqual(variantOutcome(replaced, { result: r }, undefined).killedBy, { testId: 't3', cause: 'time', verdict: 'time_limit_exceeded' });
  });
  it('computes coverage for killed variants too', () => {
    const r = result([test('t1', 'wrong_answer')]);
    assert.equal(variantOutcome(replaced, { result: r, coverage: { t1: [1, 2] } }, { t1: [1] }).covered, true);
    assert.equal(variantOutcome(replaced, { result: r, coverage: { t1: [1] } }, { t1: [1] }).covered, false);
    assert.equal(variantOutcome(replaced, { result: r }, undefined).covered, null);
  });
});

describe('variantOutcome: survivors and coverage', () => {
  it('survives when a test ran an added line', () => {
    const o = variantOutcome(replaced, { result: accepted(), coverage: { t1: [1], t2: [1, 2, 3] } }, { t1: [1], t2: [1, 3] });
    assert.deepEqual(o, { outcome: 'survived', covered: true });
  });
  it('survives when a test ran a removed reference line', () => {
    const o = variantOutcome(deleted, { result: accepted(), coverage: { t1: [1, 2] } }, { t1: [1], t2: [2] });
    assert.deepEqual(o, { outcome: 'survived', covered: true });
  });
  it('is survived_not_covered when neither side ran the edit', () => {
    const o = variantOutcome(replaced, { result: accepted(), coverage: { t1: [1, 3], t2: [1] } }, { t1: [1, 3], t2: [3] });
    assert.deepEqual(o, { outcome: 'survived_not_covered', covered: false });
  });
  it('needs only the variant\'s coverage for an insert and only the reference\'s for a delete', () => {
    assert.deepEqual(variantOutcome(inserted, { result: accepted(), coverage: { t1: [1, 3, 4] } }, undefined), { outcome: 'survived_not_covered', covered: false });
    assert.deepEqual(variantOutcome(inserted, { result: accepted(), coverage: { t1: [2] } }, undefined), { outcome: 'survived', covered: true });
    assert.deepEqual(variantOutcome(deleted, { result: accepted() }, { t1: [1, 3] }), { outcome: 'survived_not_covered', covered: false });
  });
  it('is survived with covered null when needed coverage is missing', () => {
    assert.deepEqual(variantOutcome(inserted, { result: accepted() }, { t1: [1, 2, 3] }), { outcome: 'survived', covered: null });
    assert.deepEqual(variantOutcome(deleted, { result: accepted(), coverage: { t1: [1, 2] } }, undefined), { outcome: 'survived', covered: null });
    // A replace needs both sides to prove a miss...
    assert.deepEqual(variantOutcome(replaced, { result: accepted(), coverage: { t1: [1] } }, undefined), { outcome: 'survived', covered: null });
    assert.deepEqual(variantOutcome(replaced, { result: accepted() }, { t1: [1] }), { outcome: 'survived', covered: null });
    // ...but one side's hit settles it.
    assert.equal(editCovered(replaced, { t1: [2] }, undefined), true);
    assert.equal(editCovered(replaced, undefined, { t1: [2] }), true);
  });
  it('treats an unchanged whole program as covering nothing', () => {
    assert.equal(editCovered(wholeProgramVariant(REF, REF), undefined, undefined), false);
  });
});

describe('lineSummaries', () => {
  const killedWA: VariantOutcome = { outcome: 'killed', killedBy: { testId: 't1', cause: 'wrong_answer', verdict: 'wrong_answer' }, covered: true };
  const killedRT: VariantOutcome = { outcome: 'killed', killedBy: { testId: 't2', cause: 'runtime', verdict: 'runtime_error' }, covered: null };
  const survived: VariantOutcome = { outcome: 'survived', covered: true };
  const notCovered: VariantOutcome = { outcome: 'survived_not_covered', covered: false };

  it('counts each variant toward its anchors and lists the tests that ran each line', () => {
    const block = applyEdit(REF, { op: 'replace', startLine: 1, endLine: 2, text: 'x' }, W);
    const appended = applyEdit(REF, { op: 'insert', startLine: 4, text: 'x' }, W);
    const summaries = lineSummaries(3, { t1: [1, 2, 2], t2: [2, 3, 99] }, [
      { variant: replaced, outcome: killedWA },
      { variant: deleted, outcome: killedRT },
      { variant: inserted, outcome: survived },
      { variant: block, outcome: killedWA },
      { variant: appended, outcome: notCovered },
    ]);
    assert.deepEqual(summaries, [
      { line: 1, executedBy: ['t1'], variants: 1, killed: 1, survived: 0, survivedNotCovered: 0, killedBy: { wrong_answer: 1 } },
      { line: 2, executedBy: ['t1', 't2'], variants: 4, killed: 3, survived: 1, survivedNotCovered: 0, killedBy: { wrong_answer: 2, runtime: 1 } },
      { line: 3, executedBy: ['t2'], variants: 1, killed: 0, survived: 0, survivedNotCovered: 1, killedBy: {} },
    ]);
  });
  it('says null for executedBy without reference coverage', () => {
    const [s] = lineSummaries(1, undefined, []);
    assert.deepEqual(s, { line: 1, executedBy: null, variants: 0, killed: 0, survived: 0, survivedNotCovered: 0, killedBy: {} });
    assert.deepEqual(lineSummaries(0, undefined, []), []);
  });
});
