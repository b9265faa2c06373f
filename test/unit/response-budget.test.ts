/**
 * One answer carries at most VERDICT_MAX_RESPONSE_BYTES of programs' output across all its
 * results; what is cut is flagged per output, per result and per answer, and verdicts stay.
 * Before, every test's 64 KiB of stdout and of stderr went into the answer, whatever its size.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { buildApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { ResponseBudget } from '../../src/judge/response-budget.js';
import type { Submission } from '../../src/judge/submission.js';
import { DockerEngine } from '../../src/sandbox/docker-engine.js';
import type { SubmissionResult, TestResult } from '../../src/schemas.js';

const KiB = 1024;

function testResult(i: number, stdout: string, stderr: string): TestResult {
  return {
    id: String(i),
    verdict: i % 2 === 0 ? 'accepted' : 'wrong_answer',
    exitCode: 0,
    signal: null,
    cpuTimeMs: 1,
    wallTimeMs: 1,
    peakMemoryBytes: 1,
    stdout,
    stdoutTruncated: false,
    stderr,
    stderrTruncated: false,
  };
}

function result(tests: TestResult[], compileOutput: string | null = null): SubmissionResult {
  return {
    verdict: 'wrong_answer',
    passed: tests.filter((t) => t.verdict === 'accepted').length,
    total: tests.length,
    compile:
      compileOutput === null
        ? null
        : { status: 'ok', exitCode: 0, signal: null, output: compileOutput, outputTruncated: false, cpuTimeMs: 1, wallTimeMs: 1, peakMemoryBytes: 1 },
    tests,
    manifest: {
      language: 'python',
      languageVersion: '3',
      image: 'i',
      imageId: 'sha256:i',
      limits: { compileTimeMs: 1, compileMemoryBytes: 1, timeMs: 1, wallTimeMs: 1, memoryBytes: 1, outputBytes: 1, processes: 1, totalWallTimeMs: 1 },
      checker: { mode: 'lines', absTolerance: 0, relTolerance: 0 },
      supervisorProtocol: 2,
      instanceId: 'x',
    },
    wallTimeMs: 1,
    cache: 'off',
  };
}

const outputBytes = (r: SubmissionResult) =>
  Buffer.byteLength(r.compile?.output ?? '') + r.tests.reduce((n, t) => n + Buffer.byteLength(t.stdout) + Buffer.byteLength(t.stderr), 0);

describe('response budget', () => {
  it('keeps an answer within budget across results, flags what it cut, and leaves verdicts alone', () => {
    const budget = new ResponseBudget(100 * KiB);
    // 10 results × 20 tests × 2 × 1 KiB = 400 KiB of output.
    const results = Array.from({ length: 10 }, () => result(Array.from({ length: 20 }, (_, i) => testResult(i, 'o'.repeat(KiB), 'e'.repeat(KiB))), 'c'.repeat(100)));
    const trimmed = results.map((r) => budget.trim(r));
    assert.equal(trimmed.reduce((n, r) => n + outputBytes(r), 0), 100 * KiB);
    assert.equal(budget.truncated, true);
    // The first results fit whole and are returned as they were.
    assert.equal(trimmed[0], results[0]);
    assert.equal(trimmed[0]!.responseTruncated, undefined);
    assert.equal(trimmed[9]!.responseTruncated, true);
    assert.equal(trimmed[9]!.compile!.output, '');
    assert.equal(trimmed[9]!.compile!.outputTruncated, true);
    for (const [k, r] of trimmed.entries()) {
      assert.deepEqual(r.tests.map((t) => t.verdict), results[k]!.tests.map((t) => t.verdict));
      for (const t of r.tests) {
        assert.equal(t.stdoutTruncated, t.stdout.length < KiB);
        assert.equal(t.stderrTruncated, t.stderr.length < KiB);
      }
      assert.equal(r.verdict, results[k]!.verdict);
    }
    // Nothing it was given changed: a cached result may be shared.
    assert.equal(results[9]!.tests[19]!.stdout.length, KiB);
  });

  it('cuts at a character boundary, never inside a UTF-8 sequence', () => {
    const budget = new ResponseBudget(10);
    // "é" is 2 bytes: 10 bytes end inside the sixth.
    const r = budget.trim(result([testResult(0, 'a' + 'é'.repeat(10), 'x')]));
    assert.equal(r.tests[0]!.stdout, 'a' + 'é'.repeat(4));
    assert.equal(r.tests[0]!.stderr, '');
    assert.equal(r.tests[0]!.stdoutTruncated, true);
    assert.equal(r.tests[0]!.stderrTruncated, true);
  });

  it('leaves empty outputs unflagged once spent', () => {
    const budget = new ResponseBudget(1);
    budget.trim(result([testResult(0, 'ab', '')]));
    const r = budget.trim(result([testResult(0, '', '')]));
    assert.equal(r.responseTruncated, undefined);
    assert.equal(r.tests[0]!.stdoutTruncated, false);
  });
});

const config = parseConfig({ LOG_LEVEL: 'silent', VERDICT_MAX_RESPONSE_BYTES: String(64 * KiB) }, { cpuCount: 2, randomId: 'budget-test' });
const app = await buildApp({ config, engine: new DockerEngine({ dockerHost: 'unix:///nonexistent/docker.sock' }) });
await app.ready();
after(() => app.close());

describe('response budget on /v1/submissions', () => {
  it('defaults to 64 MiB, from VERDICT_MAX_RESPONSE_BYTES', () => {
    assert.equal(parseConfig({}, { cpuCount: 2, randomId: 'x' }).maxResponseBytes, 64 * KiB * KiB);
    assert.equal(config.maxResponseBytes, 64 * KiB);
  });

  it('a submission of 1,000 tests × 2 × 64 KiB of output answers at most the budget of it, flagged', async () => {
    const big = result(Array.from({ length: 1000 }, (_, i) => testResult(i, 'o'.repeat(64 * KiB), 'e'.repeat(64 * KiB))));
    // The judge is replaced by one answering that result: no Docker, only the route's assembly is looked at.
    app.judge.submit = async (_s: Submission) => structuredClone(big);
    const res = await app.inject({ method: 'POST', url: '/v1/submissions', payload: { language: 'python', source: 'print(1)' } });
    assert.equal(res.statusCode, 200);
    const body = res.json<SubmissionResult>();
    assert.equal(outputBytes(body), 64 * KiB);
    assert.equal(body.responseTruncated, true);
    assert.ok(res.body.length < 64 * KiB + 1000 * 400, `${res.body.length} bytes answered`);
    assert.deepEqual(body.tests.map((t) => t.verdict), big.tests.map((t) => t.verdict));
  });
});
