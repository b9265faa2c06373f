import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtinDefaultLimits, builtinMaxLimits } from '../../src/config.js';
import { limitNames, type Limits } from '../../src/domain/vocabulary.js';
import { CancelledError } from '../../src/errors.js';
import { cacheKey, isCacheable, NEAR_LIMIT_FRACTION, ResultCache, type CachedResult } from '../../src/judge/cache.js';
import type { Submission } from '../../src/judge/judge.js';
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
    for (const language of ['python', 'c']) {
      const source = language === 'c' ? 'int add(int a, int b) { return a + b; }' : 'def add(a, b):\n    return a + b\n';
      const testCode = language === 'c' ? 'int main(void) { return add(1, 2) != 3; }' : 'assert add(1, 2) == 3\n';
      const one = normalizeSubmission({ language, source, testCode }, settings);
      const two = normalizeSubmission({ language, source, testCode }, settings);
      assert.notEqual(one.marker, two.marker);
      assert.notDeepEqual(one.files, two.files, 'the composed files embed the marker');
      assert.equal(cacheKey(one, IMAGE), cacheKey(two, IMAGE), language);
      const other = normalizeSubmission({ language, source, testCode: testCode.replace('3', '4') }, settings);
      assert.notEqual(cacheKey(other, IMAGE), cacheKey(one, IMAGE), language);
    }
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

describe('ResultCache', () => {
  it('serves a stored result as a hit', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 });
    let calls = 0;
    const run = async () => (calls++, result());
    const first = await cache.getOrRun('k', run, { store: always });
    assert.equal(first.source, 'miss');
    const second = await cache.getOrRun('k', run, { store: always });
    assert.equal(second.source, 'hit');
    assert.deepEqual(second.result, first.result);
    assert.equal(calls, 1);
    assert.deepEqual(cache.stats(), { entries: 1, bytes: jsonBytes(result()), maxBytes: 1 << 20 });
  });

  it('stores only what the store predicate accepts', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 });
    const run = async () => result();
    assert.equal((await cache.getOrRun('k', run, { store: () => false })).source, 'miss');
    assert.equal((await cache.getOrRun('k', run, { store: () => false })).source, 'miss');
    assert.equal(cache.stats().entries, 0);
  });

  it('evicts the least recently used results once the bytes exceed maxBytes', async () => {
    const size = jsonBytes(result());
    const maxBytes = 2 * size + Math.floor(size / 2);
    const cache = new ResultCache({ maxBytes });
    const put = (key: string) => cache.getOrRun(key, async () => result(), { store: always });
    await put('a');
    await put('b');
    assert.equal((await put('a')).source, 'hit', 'a is now the most recently used');
    await put('c');
    assert.deepEqual(cache.stats(), { entries: 2, bytes: 2 * size, maxBytes });
    assert.equal((await put('a')).source, 'hit');
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
    assert.equal((await cache.getOrRun('k', run.fn, { store: always })).source, 'hit');
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
    assert.equal(cache.stats().entries, 1, 'a run that finished for someone is stored');
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
