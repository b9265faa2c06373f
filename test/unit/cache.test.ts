import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtinDefaultLimits, builtinMaxLimits } from '../../src/config.js';
import { limitNames, type Limits } from '../../src/domain/vocabulary.js';
import { CancelledError } from '../../src/errors.js';
import { cacheKey, isCacheable, NEAR_LIMIT_FRACTION, outcomeDigest, ResultCache } from '../../src/judge/cache.js';
import type { JudgedResult as CachedResult, Submission } from '../../src/judge/submission.js';
import { normalizeSubmission } from '../../src/judge/normalize.js';
import { findLanguage } from '../../src/languages/registry.js';
import type { CompileResult, SubmissionRequest, TestResult } from '../../src/schemas.js';

const settings = { defaultLimits: builtinDefaultLimits, maxLimits: builtinMaxLimits, maxTests: 1000, maxFiles: 64 };
const IMAGE = 'sha256:aaaa';

const baseRequest: SubmissionRequest = {
  language: 'python',
  source: 'print(input())\n',
  tests: [{ stdin: '1\n', expectedStdout: '1\n' }],
};

const submission = (overrides: Partial<SubmissionRequest> = {}): Submission => normalizeSubmission({ ...baseRequest, ...overrides }, settings);

/** The base submission with one field changed by hand. */
const variant = (change: (s: Submission) => Submission): Submission => change(submission());

describe('cacheKey', () => {
  it('is a sha256 hex digest, the same for the same submission', () => {
    const key = cacheKey(submission(), IMAGE);
    assert.match(key, /^[0-9a-f]{64}$/);
    assert.equal(cacheKey(submission(), IMAGE), key);
  });

  it('changes with every field that decides the outcome', () => {
    const c = findLanguage('c')!;
    const variants: Record<string, Submission> = {
      language: variant((s) => ({ ...s, language: findLanguage('javascript')! })),
      entry: variant((s) => ({ ...s, entry: 'other.py' })),
      filePath: variant((s) => ({ ...s, files: s.files.map((f) => ({ ...f, path: 'x.py' })) })),
      fileContent: submission({ source: 'print(input() * 2)\n' }),
      extraFile: variant((s) => ({ ...s, files: [...s.files, { path: 'util.py', content: Buffer.from('') }] })),
      fileOrder: variant((s) => ({ ...s, files: [{ path: 'util.py', content: Buffer.from('') }, ...s.files] })),
      compileFlags: variant((s) => ({ ...s, compileFlags: ['-O2'] })),
      testId: submission({ tests: [{ id: 'first', stdin: '1\n', expectedStdout: '1\n' }] }),
      testStdin: submission({ tests: [{ stdin: '2\n', expectedStdout: '1\n' }] }),
      noExpected: submission({ tests: [{ stdin: '1\n' }] }),
      emptyExpected: submission({ tests: [{ stdin: '1\n', expectedStdout: '' }] }),
      expectedBytes: submission({ tests: [{ stdin: '1\n', expectedStdout: '2\n' }] }),
      args: submission({ tests: [{ stdin: '1\n', expectedStdout: '1\n', args: ['a'] }] }),
      twoTests: submission({ tests: [{ stdin: '1\n', expectedStdout: '1\n' }, { stdin: '1\n', expectedStdout: '1\n' }] }),
      checkerMode: submission({ checker: 'tokens' }),
      absTolerance: submission({ checker: { mode: 'lines', absTolerance: 1e-3 } }),
      relTolerance: submission({ checker: { mode: 'lines', relTolerance: 1e-3 } }),
      stopOnFirstFailure: submission({ stopOnFirstFailure: true }),
      mode: submission({ mode: 'compile' }),
      harness: variant((s) => ({ ...s, marker: 'verdict-harness-done-0' })),
      cLanguage: variant((s) => ({ ...s, language: c })),
    };
    for (const name of limitNames) {
      variants[`limit ${name}`] = variant((s) => ({ ...s, limits: { ...s.limits, [name]: s.limits[name] + 1 } }));
    }
    const keys = new Map<string, string>([[cacheKey(submission(), IMAGE), 'base']]);
    keys.set(cacheKey(submission(), 'sha256:bbbb'), 'imageId');
    assert.equal(keys.size, 2, 'the image id');
    for (const [name, sub] of Object.entries(variants)) {
      const key = cacheKey(sub, IMAGE);
      assert.equal(keys.get(key), undefined, `${name} gives the key of ${keys.get(key)}`);
      keys.set(key, name);
    }
  });

  it('does not let bytes move between neighbouring fields', () => {
    const split = (a: string, b: string) => variant((s) => ({ ...s, files: [{ path: a, content: Buffer.from(b) }] }));
    assert.notEqual(cacheKey(split('ab', 'c'), IMAGE), cacheKey(split('a', 'bc'), IMAGE));
    const io = (stdin: string, expectedStdout: string) => submission({ tests: [{ stdin, expectedStdout }] });
    assert.notEqual(cacheKey(io('ab', 'c'), IMAGE), cacheKey(io('a', 'bc'), IMAGE));
    const args = (a: string[]) => submission({ tests: [{ stdin: '', args: a }] });
    assert.notEqual(cacheKey(args(['a b']), IMAGE), cacheKey(args(['a', 'b']), IMAGE));
    assert.notEqual(cacheKey(args(['ab', '']), IMAGE), cacheKey(args(['a', 'b']), IMAGE));
  });

  it('ignores the per-request harness marker, but not the test code', () => {
    // Compiled languages' test code is composed into the program with a hidden marker in a file of
    // a random name; Python's runs beside it (no marker).
    const programs: Record<string, { source: string; testCode: string }> = {
      python: { source: 'def add(a, b):\n    return a + b\n', testCode: 'assert add(1, 2) == 3\n' },
      c: { source: 'int add(int a, int b) { return a + b; }', testCode: 'int main(void) { return add(1, 2) != 3; }' },
      rust: { source: 'fn add(a: i32, b: i32) -> i32 { a + b }', testCode: 'fn main() { assert_eq!(add(1, 2), 3); }' },
      java: { source: 'class Solution { int add(int a, int b) { return a + b; } }', testCode: 'public class Main { public static void main(String[] a) { assert new Solution().add(1, 2) == 3; } }' },
    };
    for (const [language, { source, testCode }] of Object.entries(programs)) {
      const one = normalizeSubmission({ language, source, testCode }, settings);
      const two = normalizeSubmission({ language, source, testCode }, settings);
      if (language !== 'python') {
        assert.notEqual(one.marker, two.marker);
        assert.notDeepEqual(one.files, two.files, 'the composed files embed the marker');
      }
      assert.equal(cacheKey(one, IMAGE), cacheKey(two, IMAGE), language);
      const other = normalizeSubmission({ language, source, testCode: testCode.replace('3', '4') }, settings);
      assert.notEqual(cacheKey(other, IMAGE), cacheKey(one, IMAGE), language);
      const none = normalizeSubmission({ language, source }, settings);
      assert.notEqual(cacheKey(none, IMAGE), cacheKey(one, IMAGE), `${language}: with test code or without`);
    }
    // A Go test file gets the harness's TestMain, with its own hidden marker.
    const goTest = (body: string) => normalizeSubmission({ language: 'go', source: `package add_test\n\nimport "testing"\n\nfunc TestAdd(t *testing.T) {\n\t${body}\n}\n` }, settings);
    const [one, two] = [goTest('_ = 1'), goTest('_ = 1')];
    assert.notEqual(one.marker, two.marker);
    assert.equal(cacheKey(one, IMAGE), cacheKey(two, IMAGE), 'go');
    assert.notEqual(cacheKey(goTest('_ = 2'), IMAGE), cacheKey(one, IMAGE), 'go');
  });

  it('tells a marker from text that merely surrounds where it was', () => {
    const withMarker = (marker: string, content: string) =>
      variant((s) => ({ ...s, marker, files: [{ path: 'main.py', content: Buffer.from(content) }] }));
    const a = 'verdict-harness-done-aaaa';
    const b = 'verdict-harness-done-bbbb';
    assert.equal(cacheKey(withMarker(a, `x${a}y`), IMAGE), cacheKey(withMarker(b, `x${b}y`), IMAGE));
    assert.notEqual(cacheKey(withMarker(a, `x${a}y`), IMAGE), cacheKey(withMarker(b, 'xy'), IMAGE));
    assert.notEqual(cacheKey(withMarker(a, `x${a}y`), IMAGE), cacheKey(withMarker(b, `x${b}${b}y`), IMAGE));
    // Without a harness the marker-like text is the program's own.
    const plain = variant((s) => ({ ...s, files: [{ path: 'main.py', content: Buffer.from(`x${a}y`) }] }));
    assert.notEqual(cacheKey(plain, IMAGE), cacheKey(withMarker(a, `x${a}y`), IMAGE));
  });
});

const limits: Limits = { ...builtinDefaultLimits };

function testResult(overrides: Partial<TestResult> = {}): TestResult {
  return {
    id: '1',
    verdict: 'accepted',
    exitCode: 0,
    signal: null,
    cpuTimeMs: 20,
    wallTimeMs: 30,
    peakMemoryBytes: 8 * 1024 * 1024,
    stdout: '1\n',
    stdoutTruncated: false,
    stderr: '',
    stderrTruncated: false,
    ...overrides,
  };
}

function compileResult(overrides: Partial<CompileResult> = {}): CompileResult {
  return {
    status: 'ok',
    exitCode: 0,
    signal: null,
    output: '',
    outputTruncated: false,
    cpuTimeMs: 100,
    wallTimeMs: 120,
    peakMemoryBytes: 30 * 1024 * 1024,
    ...overrides,
  };
}

function result(overrides: Partial<CachedResult> = {}, language = 'c'): CachedResult {
  const tests = overrides.tests ?? [testResult()];
  return {
    verdict: 'accepted',
    passed: tests.filter((t) => t.verdict === 'accepted').length,
    total: tests.length,
    compile: compileResult(),
    tests,
    manifest: {
      language,
      languageVersion: '1',
      image: `verdict-${language}:latest`,
      imageId: IMAGE,
      limits,
      checker: { mode: 'lines', absTolerance: 1e-6, relTolerance: 1e-6 },
      supervisorProtocol: 1,
      instanceId: 'test',
    },
    wallTimeMs: 500,
    ...overrides,
  };
}

describe('isCacheable', () => {
  const half = NEAR_LIMIT_FRACTION;

  it('keeps deterministic outcomes', () => {
    assert.equal(isCacheable(result(), limits), true);
    for (const verdict of ['wrong_answer', 'runtime_error', 'output_limit_exceeded'] as const) {
      assert.equal(isCacheable(result({ verdict, tests: [testResult({ verdict })] }), limits), true, verdict);
    }
    assert.equal(isCacheable(result({ verdict: 'compile_error', compile: compileResult({ status: 'failed', exitCode: 1 }), tests: [testResult({ verdict: 'skipped' })] }), limits), true);
    assert.equal(isCacheable(result({ compile: null }, 'python'), limits), true);
  });

  it('refuses time and memory verdicts, overall or of any test', () => {
    for (const verdict of ['time_limit_exceeded', 'memory_limit_exceeded'] as const) {
      assert.equal(isCacheable(result({ verdict, tests: [testResult({ verdict })] }), limits), false, verdict);
      // The overall verdict is the first failure; a later test's limit verdict still counts.
      const tests = [testResult({ verdict: 'wrong_answer' }), testResult({ id: '2', verdict })];
      assert.equal(isCacheable(result({ verdict: 'wrong_answer', tests }), limits), false, `test ${verdict}`);
    }
  });

  it('refuses compile stages ended by a limit', () => {
    for (const status of ['time_limit_exceeded', 'memory_limit_exceeded'] as const) {
      const r = result({ verdict: 'compile_error', compile: compileResult({ status }), tests: [testResult({ verdict: 'skipped' })] });
      assert.equal(isCacheable(r, limits), false, status);
    }
  });

  it('refuses a test whose sandbox was lost', () => {
    assert.equal(isCacheable(result({ tests: [testResult({ sandboxLost: true })] }), limits), false);
  });

  it('refuses a test that used more than half of a limit', () => {
    const cases: Array<[keyof TestResult, number]> = [
      ['cpuTimeMs', limits.timeMs],
      ['wallTimeMs', limits.wallTimeMs],
      ['peakMemoryBytes', limits.memoryBytes],
    ];
    for (const [field, limit] of cases) {
      assert.equal(isCacheable(result({ tests: [testResult({ [field]: limit * half })] }), limits), true, `${field} at half`);
      assert.equal(isCacheable(result({ tests: [testResult({ [field]: limit * half + 1 })] }), limits), false, `${field} past half`);
    }
  });

  it('refuses a compile stage that used more than half of a limit', () => {
    const at = (c: Partial<CompileResult>, language = 'c') => isCacheable(result({ compile: compileResult(c) }, language), limits);
    assert.equal(at({ cpuTimeMs: limits.compileTimeMs * half }), true);
    assert.equal(at({ cpuTimeMs: limits.compileTimeMs * half + 1 }), false);
    // The compile stage's wall limit is twice its CPU limit.
    assert.equal(at({ wallTimeMs: limits.compileTimeMs }), true);
    assert.equal(at({ wallTimeMs: limits.compileTimeMs + 1 }), false);
    const compileMemory = Math.max(limits.compileMemoryBytes, limits.memoryBytes);
    assert.ok(compileMemory * half > limits.memoryBytes, 'the fixture limits tell the two memory limits apart');
    assert.equal(at({ peakMemoryBytes: compileMemory * half }), true);
    assert.equal(at({ peakMemoryBytes: compileMemory * half + 1 }), false);
    // Python's syntax check runs under the test memory limit, not the compile one.
    assert.equal(at({ peakMemoryBytes: limits.memoryBytes * half }, 'python'), true);
    assert.equal(at({ peakMemoryBytes: limits.memoryBytes * half + 1 }, 'python'), false);
  });
});

const jsonBytes = (r: CachedResult) => Buffer.byteLength(JSON.stringify(r), 'utf8');
/** What one kept result takes of the budget: its JSON, its key, its outcome digest. */
const entryBytes = (r: CachedResult, key: string) => jsonBytes(r) + key.length + 64;
const always = () => true;
/** Lets queued promise callbacks run, including the one that starts a run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A run the test finishes by hand. */
function controlledRun() {
  let finish: ((r: CachedResult) => void) | undefined;
  let fail: ((e: unknown) => void) | undefined;
  const run = {
    calls: 0,
    signal: undefined as AbortSignal | undefined,
    fn: (signal: AbortSignal) => {
      run.calls++;
      run.signal = signal;
      return new Promise<CachedResult>((resolve, reject) => {
        finish = resolve;
        fail = reject;
      });
    },
    finish: (r: CachedResult) => finish!(r),
    fail: (e: unknown) => fail!(e),
  };
  return run;
}

/** The sources and nondeterminism flags of `count` requests for `key`, one after another. */
async function sources(cache: ResultCache, key: string, run: () => Promise<CachedResult>, count: number): Promise<Array<[string, boolean]>> {
  const seen: Array<[string, boolean]> = [];
  for (let n = 0; n < count; n++) {
    const r = await cache.getOrRun(key, run, { store: always });
    seen.push([r.source, r.nondeterministic]);
  }
  return seen;
}

describe('outcomeDigest', () => {
  const base = result({ tests: [testResult({ checkerMessage: 'line 1', failure: { exceptionType: 'E', message: 'm', file: 'main.py', line: 1 }, coverage: { 'main.py': [1] } })] });
  const withTest = (t: Partial<TestResult>) => ({ ...base, tests: [{ ...base.tests[0]!, ...t }] });
  const withCompile = (c: Partial<CompileResult>) => ({ ...base, compile: { ...base.compile!, ...c } });

  it('agrees across what the machine measured', () => {
    const same: Record<string, CachedResult> = {
      wallTimeMs: { ...base, wallTimeMs: 1 },
      testCpu: withTest({ cpuTimeMs: 1 }),
      testWall: withTest({ wallTimeMs: 1 }),
      testMemory: withTest({ peakMemoryBytes: 1 }),
      compileCpu: withCompile({ cpuTimeMs: 1 }),
      compileWall: withCompile({ wallTimeMs: 1 }),
      compileMemory: withCompile({ peakMemoryBytes: 1 }),
      instance: { ...base, manifest: { ...base.manifest, instanceId: 'other' } },
    };
    for (const [name, r] of Object.entries(same)) assert.equal(outcomeDigest(r), outcomeDigest(base), name);
  });

  it('disagrees on anything the program decided', () => {
    const different: Record<string, CachedResult> = {
      verdict: { ...base, verdict: 'wrong_answer' },
      passed: { ...base, passed: 0 },
      testVerdict: withTest({ verdict: 'wrong_answer' }),
      exitCode: withTest({ exitCode: 1 }),
      signal: withTest({ signal: 'SIGSEGV' }),
      stdout: withTest({ stdout: '0\n' }),
      stdoutTruncated: withTest({ stdoutTruncated: true }),
      stderr: withTest({ stderr: 'warning' }),
      stderrTruncated: withTest({ stderrTruncated: true }),
      checkerMessage: withTest({ checkerMessage: 'line 2' }),
      failure: withTest({ failure: { exceptionType: 'E', message: 'm', file: 'main.py', line: 2 } }),
      coverage: withTest({ coverage: { 'main.py': [1, 2] } }),
      testId: withTest({ id: '2' }),
      compileStatus: withCompile({ status: 'failed' }),
      compileOutput: withCompile({ output: 'warning: unused' }),
      noCompile: { ...base, compile: null },
      moreTests: { ...base, tests: [...base.tests, base.tests[0]!] },
    };
    const digests = new Map([[outcomeDigest(base), 'base']]);
    for (const [name, r] of Object.entries(different)) {
      const d = outcomeDigest(r);
      assert.equal(digests.get(d), undefined, `${name} agrees with ${digests.get(d)}`);
      digests.set(d, name);
    }
  });
});

describe('ResultCache', () => {
  it('serves a result as a hit only once a second run agreed with it', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 });
    let calls = 0;
    // Each run measures differently; what the program did is the same.
    const run = async () => (calls++, result({ wallTimeMs: 500 + calls, tests: [testResult({ cpuTimeMs: 20 + calls, wallTimeMs: 30 + calls, peakMemoryBytes: 8e6 + calls })] }));
    const first = await cache.getOrRun('k', run, { store: always });
    assert.deepEqual([first.source, first.nondeterministic], ['miss', false]);
    assert.deepEqual(cache.stats(), { entries: 1, bytes: entryBytes(first.result, 'k'), maxBytes: 1 << 20 }, 'the candidate counts');
    const second = await cache.getOrRun('k', run, { store: always });
    assert.deepEqual([second.source, second.nondeterministic], ['miss', false], 'judged again, to confirm the first');
    assert.equal(calls, 2);
    const third = await cache.getOrRun('k', run, { store: always });
    assert.deepEqual([third.source, third.nondeterministic], ['hit', false]);
    assert.deepEqual(third.result, first.result, "the first run's result, times included");
    assert.equal((await cache.getOrRun('k', run, { store: always })).source, 'hit');
    assert.equal(calls, 2);
    assert.deepEqual(cache.stats(), { entries: 1, bytes: entryBytes(first.result, 'k'), maxBytes: 1 << 20 });
  });

  it('marks a submission whose runs disagree nondeterministic, and never caches it after', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 });
    let calls = 0;
    // A coin: heads, tails, then heads for good; once seen to differ, agreeing again proves nothing.
    const coin = async () => {
      calls++;
      const heads = calls !== 2;
      return result({ verdict: heads ? 'accepted' : 'wrong_answer', tests: [testResult(heads ? {} : { verdict: 'wrong_answer', stdout: '0\n' })] });
    };
    assert.deepEqual(await sources(cache, 'k', coin, 1), [['miss', false]]);
    const second = await cache.getOrRun('k', coin, { store: always });
    assert.deepEqual([second.source, second.nondeterministic, second.result.verdict], ['miss', true, 'wrong_answer'], 'the run that disagreed says so');
    assert.deepEqual(await sources(cache, 'k', coin, 6), Array.from({ length: 6 }, () => ['miss', true]));
    assert.equal(calls, 8, 'every request ran the program');
    assert.equal(cache.stats().entries, 1, 'only the mark is kept');
  });

  it('tells every caller that shared the disagreeing run', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 });
    await cache.getOrRun('k', async () => result(), { store: always });
    const run = controlledRun();
    const one = cache.getOrRun('k', run.fn, { store: always });
    const two = cache.getOrRun('k', run.fn, { store: always });
    await settle();
    run.finish(result({ tests: [testResult({ stdout: '0\n' })] }));
    assert.deepEqual([(await one).source, (await one).nondeterministic], ['miss', true]);
    assert.deepEqual([(await two).source, (await two).nondeterministic], ['shared', true]);
  });

  it('neither confirms nor contradicts with a run the store refuses, or an aborted one', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 });
    await cache.getOrRun('k', async () => result(), { store: always });
    const refused = await cache.getOrRun('k', async () => result({ verdict: 'time_limit_exceeded' }), { store: () => false });
    assert.deepEqual([refused.source, refused.nondeterministic], ['miss', false]);
    const run = controlledRun();
    const a = new AbortController();
    const aborted = cache.getOrRun('k', run.fn, { store: always, signal: a.signal });
    await settle();
    a.abort();
    await assert.rejects(aborted, CancelledError);
    run.finish(result({ tests: [testResult({ stdout: 'cut short' })] }));
    await settle();
    assert.deepEqual(await sources(cache, 'k', async () => result(), 2), [['miss', false], ['hit', false]], 'the candidate still waits for its confirmation');
  });

  it('reports a refused run of a marked submission as nondeterministic', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 });
    await cache.getOrRun('k', async () => result(), { store: always });
    await cache.getOrRun('k', async () => result({ tests: [testResult({ stdout: '0\n' })] }), { store: always });
    const refused = await cache.getOrRun('k', async () => result({ verdict: 'time_limit_exceeded' }), { store: () => false });
    assert.deepEqual([refused.source, refused.nondeterministic], ['miss', true]);
  });

  it('keeps candidates and marks within the byte budget', async () => {
    const size = entryBytes(result(), 'k00');
    const maxBytes = 3 * size;
    const cache = new ResultCache({ maxBytes });
    for (let n = 0; n < 50; n++) {
      const key = `k${String(n).padStart(2, '0')}`;
      await cache.getOrRun(key, async () => result(), { store: always });
      await cache.getOrRun(key, async () => result({ tests: [testResult({ stdout: `${n}\n` })] }), { store: always });
      assert.ok(cache.stats().bytes <= maxBytes, `${cache.stats().bytes} bytes after ${n + 1} keys`);
    }
    // Marks are small: many more of them fit than of results, yet not without bound.
    assert.ok(cache.stats().entries > 3 && cache.stats().entries < 50, `${cache.stats().entries} marks`);
  });

  it('stores only what the store predicate accepts', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 });
    const run = async () => result();
    assert.equal((await cache.getOrRun('k', run, { store: () => false })).source, 'miss');
    assert.equal((await cache.getOrRun('k', run, { store: () => false })).source, 'miss');
    assert.equal(cache.stats().entries, 0);
  });

  it('evicts the least recently used results once the bytes exceed maxBytes', async () => {
    const size = entryBytes(result(), 'a');
    const maxBytes = 2 * size + Math.floor(size / 2);
    const cache = new ResultCache({ maxBytes });
    const put = (key: string) => cache.getOrRun(key, async () => result(), { store: always });
    await put('a');
    await put('a');
    await put('b');
    await put('b');
    assert.equal((await put('a')).source, 'hit', 'a is now the most recently used');
    await put('c');
    assert.deepEqual(cache.stats(), { entries: 2, bytes: 2 * size, maxBytes }, 'the candidate c took the place of b');
    assert.equal((await put('a')).source, 'hit');
    assert.equal((await put('c')).source, 'miss', 'the run confirming c');
    assert.equal((await put('c')).source, 'hit');
    assert.equal((await put('b')).source, 'miss', 'b was evicted');
  });

  it('does not store a result larger than the whole cache', async () => {
    const cache = new ResultCache({ maxBytes: jsonBytes(result()) - 1 });
    await cache.getOrRun('k', async () => result(), { store: always });
    assert.deepEqual(cache.stats(), { entries: 0, bytes: 0, maxBytes: jsonBytes(result()) - 1 });
  });

  it('stores nothing with maxBytes 0, yet still shares runs in flight', async () => {
    const cache = new ResultCache({ maxBytes: 0 });
    const run = controlledRun();
    const one = cache.getOrRun('k', run.fn, { store: always });
    const two = cache.getOrRun('k', run.fn, { store: always });
    await settle();
    run.finish(result());
    assert.deepEqual([(await one).source, (await two).source], ['miss', 'shared']);
    assert.equal(run.calls, 1);
    assert.deepEqual(cache.stats(), { entries: 0, bytes: 0, maxBytes: 0 });
    assert.equal((await cache.getOrRun('k', async () => result(), { store: always })).source, 'miss');
  });

  it('refuses a negative or fractional maxBytes', () => {
    assert.throws(() => new ResultCache({ maxBytes: -1 }), RangeError);
    assert.throws(() => new ResultCache({ maxBytes: 1.5 }), RangeError);
  });

  it('runs identical submissions in flight together once', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 });
    const run = controlledRun();
    const one = cache.getOrRun('k', run.fn, { store: always });
    const two = cache.getOrRun('k', run.fn, { store: always });
    await settle();
    assert.equal(run.calls, 1);
    run.finish(result());
    const [a, b] = await Promise.all([one, two]);
    assert.equal(a.source, 'miss');
    assert.equal(b.source, 'shared');
    assert.deepEqual(a.result, b.result);
    assert.equal(run.calls, 1);
  });

  it('keeps different keys apart', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 });
    const run = controlledRun();
    const other = controlledRun();
    const one = cache.getOrRun('k', run.fn, { store: always });
    const two = cache.getOrRun('j', other.fn, { store: always });
    await settle();
    assert.deepEqual([run.calls, other.calls], [1, 1]);
    run.finish(result());
    other.finish(result({ verdict: 'wrong_answer' }));
    assert.equal((await one).result.verdict, 'accepted');
    assert.equal((await two).result.verdict, 'wrong_answer');
    assert.equal((await two).source, 'miss');
  });

  it('gives a failed run its error to every waiter and stores nothing', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 });
    const run = controlledRun();
    const one = cache.getOrRun('k', run.fn, { store: always });
    const two = cache.getOrRun('k', run.fn, { store: always });
    await settle();
    const failure = new Error('docker went away');
    run.fail(failure);
    await assert.rejects(one, (e) => e === failure);
    await assert.rejects(two, (e) => e === failure);
    assert.equal(cache.stats().entries, 0);
    assert.equal((await cache.getOrRun('k', async () => result(), { store: always })).source, 'miss', 'the next request runs again');
  });

  it('turns a run that throws before returning a promise into a rejection', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 });
    const failure = new Error('sync');
    const run = (): Promise<CachedResult> => {
      throw failure;
    };
    await assert.rejects(cache.getOrRun('k', run, { store: always }), (e) => e === failure);
  });

  it('lets one waiter leave without stopping the run another still waits for', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 });
    const run = controlledRun();
    const leaving = new AbortController();
    const staying = new AbortController();
    const one = cache.getOrRun('k', run.fn, { store: always, signal: leaving.signal });
    const two = cache.getOrRun('k', run.fn, { store: always, signal: staying.signal });
    await settle();
    leaving.abort();
    await assert.rejects(one, CancelledError);
    assert.equal(run.signal!.aborted, false);
    run.finish(result());
    const b = await two;
    assert.equal(b.source, 'shared');
    assert.equal(b.result.verdict, 'accepted');
    assert.equal(cache.stats().entries, 1, 'a run that finished for someone is kept');
  });

  it('keeps the run for a waiter without a signal when the others leave', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 });
    const run = controlledRun();
    const leaving = new AbortController();
    const one = cache.getOrRun('k', run.fn, { store: always, signal: leaving.signal });
    const two = cache.getOrRun('k', run.fn, { store: always });
    await settle();
    leaving.abort();
    await assert.rejects(one, CancelledError);
    assert.equal(run.signal!.aborted, false);
    run.finish(result());
    assert.equal((await two).source, 'shared');
  });

  it('aborts the run once every waiter has left, and starts afresh after', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 });
    const run = controlledRun();
    const a = new AbortController();
    const b = new AbortController();
    const one = cache.getOrRun('k', run.fn, { store: always, signal: a.signal });
    const two = cache.getOrRun('k', run.fn, { store: always, signal: b.signal });
    await settle();
    a.abort();
    await assert.rejects(one, CancelledError);
    assert.equal(run.signal!.aborted, false);
    b.abort();
    await assert.rejects(two, CancelledError);
    assert.equal(run.signal!.aborted, true);
    assert.ok(run.signal!.reason instanceof CancelledError);

    const abandoned = run.signal!;
    const fresh = cache.getOrRun('k', run.fn, { store: always });
    await settle();
    assert.equal(run.calls, 2, 'a new request does not join the aborted run');
    assert.notEqual(run.signal, abandoned);
    run.finish(result({ verdict: 'wrong_answer' }));
    assert.equal((await fresh).source, 'miss');
  });

  it('never stores the result of an aborted run', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 });
    const run = controlledRun();
    const a = new AbortController();
    const one = cache.getOrRun('k', run.fn, { store: always, signal: a.signal });
    await settle();
    a.abort();
    await assert.rejects(one, CancelledError);
    run.finish(result());
    await settle();
    assert.equal(cache.stats().entries, 0);
  });

  it('does not leave an aborted run\'s failure unhandled', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 });
    const run = controlledRun();
    const a = new AbortController();
    const one = cache.getOrRun('k', run.fn, { store: always, signal: a.signal });
    await settle();
    a.abort();
    await assert.rejects(one, CancelledError);
    let unhandled = 0;
    const count = () => unhandled++;
    process.on('unhandledRejection', count);
    try {
      run.fail(new Error('killed'));
      await settle();
      await settle();
    } finally {
      process.off('unhandledRejection', count);
    }
    assert.equal(unhandled, 0);
  });

  it('rejects at once a caller whose signal is already aborted, without running', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 });
    const run = controlledRun();
    const reason = new CancelledError('batch deadline');
    await assert.rejects(cache.getOrRun('k', run.fn, { store: always, signal: AbortSignal.abort(reason) }), (e) => e === reason);
    await assert.rejects(cache.getOrRun('k', run.fn, { store: always, signal: AbortSignal.abort() }), CancelledError);
    await settle();
    assert.equal(run.calls, 0);
  });

  it('hands every caller its own copy', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 });
    const run = controlledRun();
    const produced = result();
    const one = cache.getOrRun('k', run.fn, { store: always });
    const two = cache.getOrRun('k', run.fn, { store: always });
    await settle();
    run.finish(produced);
    const [a, b] = await Promise.all([one, two]);
    assert.notEqual(a.result, produced);
    assert.notEqual(a.result, b.result);
    // What a caller does to its response: say how the result was obtained.
    Object.assign(a.result, { cache: 'miss' });
    a.result.tests[0]!.stdout = 'changed';
    produced.tests[0]!.stdout = 'changed by the runner';
    assert.equal('cache' in b.result, false);
    assert.equal(b.result.tests[0]!.stdout, '1\n');

    const confirming = cache.getOrRun('k', run.fn, { store: always });
    await settle();
    run.finish(result());
    assert.equal((await confirming).source, 'miss');
    const hit = await cache.getOrRun('k', run.fn, { store: always });
    assert.equal(hit.result.tests[0]!.stdout, '1\n');
    Object.assign(hit.result, { cache: 'hit' });
    hit.result.tests[0]!.stdout = 'changed';
    hit.result.manifest.limits.timeMs = 1;
    const again = await cache.getOrRun('k', run.fn, { store: always });
    assert.equal(again.result.tests[0]!.stdout, '1\n');
    assert.equal(again.result.manifest.limits.timeMs, limits.timeMs);
    assert.equal('cache' in again.result, false);
  });
});
