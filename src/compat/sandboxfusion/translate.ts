/**
 * SandboxFusion's request → Verdict's submission, and Verdict's result → SandboxFusion's answer.
 * Pure: the route (routes.ts) judges in between. What differs from SandboxFusion is listed there.
 */
import { constants } from 'node:os';
import type { Config } from '../../config.js';
import type { Submission } from '../../judge/submission.js';
import { normalizeSubmission } from '../../judge/normalize.js';
import { relativePath, type CompileResult, type SubmissionResult, type TestResult } from '../../schemas.js';
import { refusedTestRunners, sandboxFusionLanguages, testFileEntry, UNCOMPILED } from './names.js';
import { InvalidRunCode, type CommandRunResult, type RunCodeRequest, type RunCodeResponse, type ValidationDetail } from './schema.js';

const MiB = 1024 * 1024;
/** SandboxFusion's defaults for compile_timeout and run_timeout, in seconds. */
const DEFAULT_TIMEOUT_SECONDS = 10;
/** What verl's client adds to compile_timeout + run_timeout for its request timeout (API_TIMEOUT). */
const CLIENT_SLACK_SECONDS = 10;

/**
 * Milliseconds the client waits for its answer: verl waits compile_timeout + run_timeout + 10 s
 * (its request timeout) and retries only on 504, so a request that would likely answer later is
 * refused at once and retried rather than scored as failed.
 */
export function clientDeadlineMs(body: Pick<RunCodeRequest, 'compile_timeout' | 'run_timeout'>): number {
  const timeout = (t: number | undefined) => Math.max(0, t ?? DEFAULT_TIMEOUT_SECONDS);
  return (timeout(body.compile_timeout) + timeout(body.run_timeout) + CLIENT_SLACK_SECONDS) * 1000;
}

function clampMs(secondsValue: number | undefined, max: number): number {
  const s = secondsValue ?? DEFAULT_TIMEOUT_SECONDS;
  return Math.min(max, Math.max(1, Math.ceil(s * 1000)));
}

const BASE64 = /^[A-Za-z0-9+/\-_]*={0,2}$/;

/**
 * The request's extra files, decoded, beside the program whose files take `taken`; every problem
 * of them at once, as FastAPI lists a model's errors.
 */
function besideFiles(given: RunCodeRequest['files'], taken: readonly string[], maxFiles: number): Array<{ path: string; content: Buffer }> {
  const extra = Object.entries(given ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string');
  const detail: ValidationDetail[] = [];
  const paths = new Set(taken);
  const files: Array<{ path: string; content: Buffer }> = [];
  for (const [path, content] of extra) {
    const clean = path.replace(/^\.\//, '');
    const checked = relativePath.safeParse(clean);
    if (!checked.success) {
      detail.push({ type: 'value_error', loc: ['body', 'files', path], msg: `Value error, ${checked.error.issues[0]!.message}`, input: path });
    } else if (paths.has(clean)) {
      detail.push({ type: 'value_error', loc: ['body', 'files', path], msg: 'Value error, the path is the program\'s own file or is given twice', input: path });
    } else if (!BASE64.test(content.replace(/\s+/g, ''))) {
      detail.push({ type: 'value_error', loc: ['body', 'files', path], msg: 'Value error, the content is not base64', input: null });
    } else {
      paths.add(clean);
      files.push({ path: clean, content: Buffer.from(content, 'base64') });
    }
  }
  // A file and a directory of one name cannot both exist.
  for (const p of paths) {
    const parts = p.split('/');
    for (let n = 1; n < parts.length; n++) {
      const dir = parts.slice(0, n).join('/');
      if (paths.has(dir)) detail.push({ type: 'value_error', loc: ['body', 'files', p], msg: `Value error, ${JSON.stringify(dir)} is both a file and a directory`, input: p });
    }
  }
  const count = taken.length + files.length;
  if (count > maxFiles) {
    detail.push({ type: 'value_error', loc: ['body', 'files'], msg: `Value error, ${count - 1} extra files given, at most ${maxFiles - 1} are accepted` });
  }
  if (detail.length > 0) throw new InvalidRunCode(detail);
  return files;
}

/** The language's Verdict id, or a 422 naming SandboxFusion's languages this server runs (and why not a test runner). */
function languageOf(name: string): string {
  const languageId = sandboxFusionLanguages.get(name);
  if (languageId !== undefined) return languageId;
  const names = [...sandboxFusionLanguages.keys()];
  const refused = refusedTestRunners.get(name);
  throw new InvalidRunCode([
    {
      type: 'literal_error',
      loc: ['body', 'language'],
      msg: `${refused === undefined ? '' : `${refused}. `}Input should be ${names.map((n) => `'${n}'`).join(', ')} (the SandboxFusion languages this server runs)`,
      input: name,
    },
  ]);
}

/** The request → a Verdict submission: one run, the extra files beside the program. */
export function runCodeSubmission(body: RunCodeRequest, settings: Pick<Config, 'defaultLimits' | 'maxLimits' | 'maxTests' | 'maxFiles'>): Submission {
  const languageId = languageOf(body.language);
  const max = settings.maxLimits;
  const memoryBytes = body.memory_limit_MB !== undefined && body.memory_limit_MB > 0 ? Math.min(max.memoryBytes, Math.ceil(body.memory_limit_MB) * MiB) : undefined;
  const runMs = clampMs(body.run_timeout, Math.min(max.timeMs, max.wallTimeMs));
  const entry = testFileEntry.get(body.language);
  return normalizeSubmission(
    {
      language: languageId,
      ...(entry !== undefined ? { files: [{ path: entry, content: body.code }] } : { source: body.code }),
      tests: [{ stdin: body.stdin ?? '' }],
      limits: {
        compileTimeMs: clampMs(body.compile_timeout, max.compileTimeMs),
        timeMs: Math.min(max.timeMs, runMs),
        wallTimeMs: Math.min(max.wallTimeMs, runMs),
        ...(memoryBytes !== undefined ? { memoryBytes } : {}),
        // SandboxFusion has no output limit and its clients compare stdout themselves: the most this server allows.
        outputBytes: max.outputBytes,
      },
    },
    settings,
    undefined,
    // The extra files are data beside the program; a go_test file is judged with Verdict's harness.
    { beside: ({ paths }) => besideFiles(body.files, paths, settings.maxFiles), besideIsOwnCode: false, testFileHarness: true },
  );
}

function signalNumber(name: string | null): number | null {
  if (name === null) return null;
  // Own keys only: the name comes from the sandbox's report.
  return Object.hasOwn(constants.signals, name) ? (constants.signals as Record<string, number>)[name]! : null;
}

/** Exit status as SandboxFusion's subprocess reports it: a signal N as -N. */
function returnCode(exitCode: number | null, signal: string | null): number | null {
  if (exitCode !== null) return exitCode;
  const n = signalNumber(signal);
  return n === null ? null : -n;
}

const SIGKILL = -(constants.signals.SIGKILL as number);
const seconds = (ms: number) => ms / 1000;

/** A failure must not read as exit status 0: a kill by the kernel or the supervisor is SIGKILL. */
function nonZero(code: number | null, fallback = SIGKILL): number {
  return code === null || code === 0 ? fallback : code;
}

function compileToResult(c: CompileResult): CommandRunResult {
  const base = { execution_time: seconds(c.wallTimeMs), stdout: '', stderr: c.output };
  switch (c.status) {
    case 'ok':
      return { status: 'Finished', return_code: 0, ...base };
    case 'time_limit_exceeded':
      return { status: 'TimeLimitExceeded', return_code: null, ...base };
    case 'memory_limit_exceeded':
      return { status: 'Finished', return_code: nonZero(returnCode(c.exitCode, c.signal)), ...base };
    case 'failed':
      return { status: 'Finished', return_code: nonZero(returnCode(c.exitCode, c.signal), 1), ...base };
  }
}

function testToResult(t: TestResult): CommandRunResult {
  const base = { execution_time: seconds(t.wallTimeMs), stdout: t.stdout, stderr: t.stderr };
  switch (t.verdict) {
    case 'time_limit_exceeded':
      return { status: 'TimeLimitExceeded', return_code: null, ...base };
    case 'memory_limit_exceeded':
    case 'output_limit_exceeded':
    case 'runtime_error':
      return { status: 'Finished', return_code: nonZero(returnCode(t.exitCode, t.signal)), ...base };
    default:
      return { status: 'Finished', return_code: returnCode(t.exitCode, t.signal), ...base };
  }
}

/** Verdict's result → SandboxFusion's: Success only when the compile (if any) and the run both finished with 0. */
export function toRunCodeResponse(result: SubmissionResult, languageId: string): RunCodeResponse {
  let compile_result: CommandRunResult | null = null;
  let run_result: CommandRunResult | null = null;
  const compile = result.compile;
  const compiled = compile === null || compile.status === 'ok';
  const test = compiled && result.tests[0]?.verdict !== 'skipped' ? result.tests[0] : undefined;
  if (compile !== null && !UNCOMPILED.has(languageId)) compile_result = compileToResult(compile);
  if (!compiled) {
    // SandboxFusion runs these languages directly: a syntax or type error is the run failing.
    if (UNCOMPILED.has(languageId)) run_result = compileToResult(compile);
  } else if (test) run_result = testToResult(test);
  const finishedOk = (r: CommandRunResult | null) => r === null || (r.status === 'Finished' && r.return_code === 0);
  // An output that is not whole is never a Success: the client would compare a part of it.
  const runCut = test !== undefined && (test.stdoutTruncated || test.stderrTruncated);
  const success = run_result !== null && !runCut && finishedOk(run_result) && finishedOk(compile_result) && result.verdict === 'accepted';
  return { status: success ? 'Success' : 'Failed', message: limitMessage(result, test), compile_result, run_result, files: {} };
}

/**
 * What a limit did to the answer, in the field SandboxFusion's clients log: a return code -9 alone
 * does not say whether memory or output ended the run, nor that stdout is incomplete.
 */
function limitMessage(result: SubmissionResult, test: TestResult | undefined): string {
  const limits = result.manifest.limits;
  const said: string[] = [];
  if (test?.verdict === 'output_limit_exceeded') {
    said.push(`the run's stdout and stderr together exceeded ${limits.outputBytes} bytes, this server's output limit: the run was killed and its output is cut`);
  } else if (test !== undefined && (test.stdoutTruncated || test.stderrTruncated)) {
    said.push(`the run's ${test.stdoutTruncated ? 'stdout' : 'stderr'} is cut: it is not the whole output`);
  }
  if (test?.verdict === 'memory_limit_exceeded') said.push(`the run exceeded its memory limit of ${limits.memoryBytes} bytes and was killed`);
  if (result.compile?.outputTruncated) said.push(`the compiler's output is cut at ${limits.outputBytes} bytes`);
  return said.join('; ');
}

/** An answer with neither a compile nor a run: the server's failure, said in `message`. */
export function emptyResponse(status: RunCodeResponse['status'], message: string): RunCodeResponse {
  return { status, message, compile_result: null, run_result: null, files: {} };
}
