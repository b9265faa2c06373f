/**
 * POST /run_code: SandboxFusion's code-runner endpoint, as its clients (verl's
 * sandbox_fusion reward, the sandbox-fusion SDK) call it. One run of one
 * program, no expected output; the answer says how the compile and the run ended.
 *
 * What differs from SandboxFusion (the main points):
 * - overload, a wait that would outlast the client's own timeout (compile_timeout +
 *   run_timeout + 10 s) and Verdict/Docker failures answer HTTP 504 with Retry-After
 *   (verl retries only on 504), never a 200 "SandboxError";
 * - `fetch_files` is accepted and ignored: Verdict does not read files out of
 *   its sandboxes, so `files` in the answer is always {} (absent files are
 *   left out by SandboxFusion too);
 * - limits above the server's maximum are lowered to it instead of refused;
 * - TypeScript is type-checked (tsc) before it runs, where SandboxFusion's tsx
 *   only strips types: a type error is a failed run here;
 * - a memory or output limit is a run that Finished with return code -9, and `message`
 *   says which; the output limit is the server's maximum (SandboxFusion has none);
 * - memory_limit_MB -1 is Verdict's default memory limit, not none;
 * - every request runs the program (no result cache), as in SandboxFusion.
 */
import { constants } from 'node:os';
import type { FastifyError } from 'fastify';
import { hasZodFastifySchemaValidationErrors, type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { BadRequestError, VerdictError } from '../errors.js';
import type { Submission } from '../judge/submission.js';
import { normalizeSubmission } from '../judge/normalize.js';
import type { CompileResult, SubmissionResult, TestResult } from '../schemas.js';
import { relativePath } from '../schemas.js';
import { clientGone } from './client.js';

/**
 * SandboxFusion's language names that Verdict runs → Verdict's language ids. A Map: the name
 * is request text, and an object would also answer "constructor" or "toString".
 */
const sandboxFusionLanguages: ReadonlyMap<string, string> = new Map([
  ['python', 'python'],
  ['cpp', 'cpp'],
  ['nodejs', 'javascript'],
  ['js', 'javascript'],
  ['typescript', 'typescript'],
  ['ts', 'typescript'],
  ['go', 'go'],
  // SandboxFusion writes go_test code to a *_test.go file and runs `go test` on it.
  ['go_test', 'go'],
  ['java', 'java'],
  ['rust', 'rust'],
]);

/** SandboxFusion names whose code is a test file whatever it declares: its entry file is fixed. */
const testFileEntry: ReadonlyMap<string, string> = new Map([['go_test', 'main_test.go']]);

/**
 * SandboxFusion's test-runner names Verdict does not run, and why: each runs the code under a
 * framework the sandboxes lack, and running it as a plain program would run none of its tests.
 */
const refusedTestRunners: ReadonlyMap<string, string> = new Map([
  ['pytest', "'pytest' runs the code's test_ functions with pytest, which this server does not have; send language 'python' with the calls at top level"],
  ['junit', "'junit' runs the code's @Test methods with JUnit 5, which this server does not have; send language 'java' with a main that runs the checks"],
  ['jest', "'jest' runs the code as a TypeScript jest test file, which this server does not have; send language 'typescript' or 'nodejs' with the checks at top level"],
]);

/** Languages SandboxFusion runs without a compile step: Verdict's syntax or type check is reported as part of the run. */
const UNCOMPILED = new Set(['python', 'javascript', 'typescript']);

const MiB = 1024 * 1024;
/** SandboxFusion's defaults for compile_timeout and run_timeout, in seconds. */
const DEFAULT_TIMEOUT_SECONDS = 10;
/** What verl's client adds to compile_timeout + run_timeout for its request timeout (API_TIMEOUT). */
const CLIENT_SLACK_SECONDS = 10;

const runCodeRequestSchema = z.object({
  code: z.string().describe('The program'),
  language: z.string().describe(`A SandboxFusion language name; this server runs ${[...sandboxFusionLanguages.keys()].join(', ')}`),
  compile_timeout: z.number().optional().describe('Seconds for the compile step; default 10, lowered to the server maximum'),
  run_timeout: z.number().optional().describe('Seconds (wall clock, and CPU) for the run; default 10, lowered to the server maximum'),
  memory_limit_MB: z.number().optional().describe('Memory of the run in MiB; -1 (default) for the server default; lowered to the server maximum'),
  stdin: z.string().nullable().optional().describe('Standard input of the run'),
  files: z
    .record(z.string(), z.string().nullable())
    .optional()
    .describe('Extra files beside the program: relative path → base64 content (null entries are skipped)'),
  fetch_files: z.array(z.string()).optional().describe('Accepted and ignored: Verdict does not read files out of its sandboxes, so none are returned'),
});
type RunCodeRequest = z.infer<typeof runCodeRequestSchema>;

const commandRunResultSchema = z.object({
  status: z.enum(['Finished', 'Error', 'TimeLimitExceeded']),
  execution_time: z.number().nullable().describe('Seconds, wall clock'),
  return_code: z.number().int().nullable().describe('Exit status; a signal N as -N; null after a time limit'),
  stdout: z.string().nullable(),
  stderr: z.string().nullable(),
});
type CommandRunResult = z.infer<typeof commandRunResultSchema>;

const runCodeResponseSchema = z.object({
  status: z.enum(['Success', 'Failed', 'SandboxError']),
  message: z.string(),
  compile_result: commandRunResultSchema.nullable(),
  run_result: commandRunResultSchema.nullable(),
  files: z.record(z.string(), z.string()).describe('Always {}: fetch_files is not supported'),
});
type RunCodeResponse = z.infer<typeof runCodeResponseSchema>;

/** FastAPI's answer to a request its model refuses (HTTP 422). */
const validationErrorSchema = z.object({
  detail: z.array(
    z.object({
      type: z.string(),
      loc: z.array(z.union([z.string(), z.number()])),
      msg: z.string(),
      input: z.unknown().optional(),
    }),
  ),
});
type ValidationDetail = z.infer<typeof validationErrorSchema>['detail'][number];

class InvalidRequest extends Error {
  constructor(readonly detail: ValidationDetail[]) {
    super(detail.map((d) => d.msg).join('; '));
  }
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
    case 'skipped':
      return { status: 'Finished', return_code: nonZero(returnCode(c.exitCode, c.signal), 1), ...base };
  }
}

/** A failure must not read as exit status 0: a kill by the kernel or the supervisor is SIGKILL. */
function nonZero(code: number | null, fallback = SIGKILL): number {
  return code === null || code === 0 ? fallback : code;
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

function clampMs(secondsValue: number | undefined, max: number): number {
  const s = secondsValue ?? DEFAULT_TIMEOUT_SECONDS;
  return Math.min(max, Math.max(1, Math.ceil(s * 1000)));
}

const BASE64 = /^[A-Za-z0-9+/\-_]*={0,2}$/;

/** The request → a Verdict submission: one run, the extra files beside the program. */
export function runCodeSubmission(body: RunCodeRequest, settings: Parameters<typeof normalizeSubmission>[1]): Submission {
  const languageId = sandboxFusionLanguages.get(body.language);
  if (languageId === undefined) {
    const names = [...sandboxFusionLanguages.keys()];
    const refused = refusedTestRunners.get(body.language);
    throw new InvalidRequest([
      {
        type: 'literal_error',
        loc: ['body', 'language'],
        msg: `${refused === undefined ? '' : `${refused}. `}Input should be ${names.map((n) => `'${n}'`).join(', ')} (the SandboxFusion languages this server runs)`,
        input: body.language,
      },
    ]);
  }
  const max = settings.maxLimits;
  const memoryBytes = body.memory_limit_MB !== undefined && body.memory_limit_MB > 0 ? Math.min(max.memoryBytes, Math.ceil(body.memory_limit_MB) * MiB) : undefined;
  const runMs = clampMs(body.run_timeout, Math.min(max.timeMs, max.wallTimeMs));
  const submission = normalizeSubmission(
    {
      language: languageId,
      ...(testFileEntry.has(body.language) ? { files: [{ path: testFileEntry.get(body.language)!, content: body.code }] } : { source: body.code }),
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
  );

  const extra = Object.entries(body.files ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string');
  const detail: ValidationDetail[] = [];
  const taken = new Set(submission.files.map((f) => f.path));
  const files = [...submission.files];
  for (const [path, content] of extra) {
    const clean = path.replace(/^\.\//, '');
    const checked = relativePath.safeParse(clean);
    if (!checked.success) {
      detail.push({ type: 'value_error', loc: ['body', 'files', path], msg: `Value error, ${checked.error.issues[0]!.message}`, input: path });
    } else if (taken.has(clean)) {
      detail.push({ type: 'value_error', loc: ['body', 'files', path], msg: 'Value error, the path is the program\'s own file or is given twice', input: path });
    } else if (!BASE64.test(content.replace(/\s+/g, ''))) {
      detail.push({ type: 'value_error', loc: ['body', 'files', path], msg: 'Value error, the content is not base64', input: null });
    } else {
      taken.add(clean);
      files.push({ path: clean, content: Buffer.from(content, 'base64') });
    }
  }
  // A file and a directory of one name cannot both exist.
  for (const p of taken) {
    const parts = p.split('/');
    for (let n = 1; n < parts.length; n++) {
      const dir = parts.slice(0, n).join('/');
      if (taken.has(dir)) detail.push({ type: 'value_error', loc: ['body', 'files', p], msg: `Value error, ${JSON.stringify(dir)} is both a file and a directory`, input: p });
    }
  }
  if (files.length > settings.maxFiles) {
    detail.push({ type: 'value_error', loc: ['body', 'files'], msg: `Value error, ${files.length - 1} extra files given, at most ${settings.maxFiles - 1} are accepted` });
  }
  if (detail.length > 0) throw new InvalidRequest(detail);
  return { ...submission, files, returnedOutputBytes: submission.limits.outputBytes };
}

function emptyResponse(status: RunCodeResponse['status'], message: string): RunCodeResponse {
  return { status, message, compile_result: null, run_result: null, files: {} };
}

export const sandboxFusionRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/run_code',
    {
      schema: {
        tags: ['judge'],
        summary: 'Run one program (SandboxFusion-compatible)',
        description:
          "SandboxFusion's POST /run_code for its existing clients (verl's sandbox_fusion reward among them). One run, no expected output: \"Success\" when the compile (if any) and the run finished with exit status 0, \"Failed\" otherwise (compile error, non-zero exit, TimeLimitExceeded, a memory or output limit, shown as return code -9). The whole stdout and stderr come back, up to the server's output limit (the default here); past it the run is killed and the message says so. Requests are queued while they can be answered within the client's own timeout (compile_timeout + run_timeout + 10 s, as verl waits): when the expected wait plus the run's limits exceed it, when the queue is full, or when Verdict or Docker fail, the answer is at once HTTP 504 with Retry-After and a \"SandboxError\" body, since such clients retry only on 504. An unknown language or a malformed request is 422 with FastAPI's {detail: [...]}. fetch_files is ignored and files in the answer is always {}; timeouts and memory above the server maximum are lowered to it. Every request runs the program: the result cache is never used.",
        body: runCodeRequestSchema,
        response: { 200: runCodeResponseSchema, 422: validationErrorSchema, 500: runCodeResponseSchema, 504: runCodeResponseSchema },
      },
      errorHandler: (error: FastifyError, request, reply) => {
        if (error instanceof InvalidRequest) return reply.status(422).send({ detail: error.detail });
        if (hasZodFastifySchemaValidationErrors(error)) {
          const detail = error.validation.map((v) => ({
            type: 'value_error',
            loc: ['body', ...v.instancePath.split('/').filter((s: string) => s !== '')],
            msg: v.message ?? 'invalid',
          }));
          return reply.status(422).send({ detail });
        }
        if (error instanceof BadRequestError) {
          return reply.status(422).send({ detail: [{ type: 'value_error', loc: ['body'], msg: error.message }] });
        }
        if (error instanceof VerdictError && error.retryable) {
          if (error.statusCode >= 500 && error.statusCode !== 504) {
            app.metrics.errors.inc({ code: error.code });
            request.log.warn({ err: error, code: error.code }, 'run_code failed');
          }
          void reply.header('retry-after', String(error.retryAfterSeconds ?? 1));
          return reply.status(504).send(emptyResponse('SandboxError', `${error.code}: ${error.message}`));
        }
        const status = error.statusCode ?? 500;
        if (status === 413) {
          return reply.status(422).send({ detail: [{ type: 'value_error', loc: ['body'], msg: `the request body exceeds ${app.config.bodyLimitBytes} bytes` }] });
        }
        if (status >= 400 && status < 500) {
          return reply.status(422).send({ detail: [{ type: 'value_error', loc: ['body'], msg: error.message }] });
        }
        app.metrics.errors.inc({ code: 'VERDICT_INTERNAL' });
        request.log.error({ err: error }, 'unexpected failure in run_code');
        return reply.status(500).send(emptyResponse('SandboxError', 'internal error'));
      },
    },
    async (request, reply) => {
      const submission = runCodeSubmission(request.body, app.config);
      // Through the scheduler like any submission: queued behind others, refused only when the queue is full.
      // Raw execution: a client running a program wants it run, even a random one, never an earlier run's output.
      // verl waits compile_timeout + run_timeout + 10 s for the answer (its request timeout) and retries only on 504:
      // a request that would likely answer later is refused at once, so it is retried rather than scored as failed.
      const timeout = (t: number | undefined) => Math.max(0, t ?? DEFAULT_TIMEOUT_SECONDS);
      const deadlineMs = (timeout(request.body.compile_timeout) + timeout(request.body.run_timeout) + CLIENT_SLACK_SECONDS) * 1000;
      const result = await app.judge.submit(submission, { priority: 'online', cache: false, signal: clientGone(reply), answerWithinMs: deadlineMs });
      return toRunCodeResponse(result, submission.language.id);
    },
  );
};
