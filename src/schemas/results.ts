/** Results: a compile, a test, a submission, the lines and summary of a batch. Part of the HTTP contract (src/schemas.ts). */
import { z } from 'zod';
import { cacheSources, compileStatuses, limitNames, verdicts, type LimitName } from '../domain/vocabulary.js';
import { checkerModeSchema } from './program.js';

const limitsResultSchema = z.object(Object.fromEntries(limitNames.map((name) => [name, z.number()])) as Record<LimitName, z.ZodNumber>);

export const compileResultSchema = z.object({
  status: z.enum(compileStatuses),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  output: z.string().describe("The compiler's stdout and stderr, capped"),
  outputTruncated: z.boolean(),
  cpuTimeMs: z.number(),
  wallTimeMs: z.number(),
  peakMemoryBytes: z.number(),
});

export const testResultSchema = z.object({
  id: z.string(),
  verdict: z.enum(verdicts),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable().describe('Name of the signal that ended the program, e.g. SIGSEGV'),
  cpuTimeMs: z.number(),
  wallTimeMs: z.number(),
  peakMemoryBytes: z.number(),
  stdout: z.string(),
  stdoutTruncated: z.boolean(),
  stderr: z.string(),
  stderrTruncated: z.boolean(),
  checkerMessage: z.string().optional().describe('For wrong_answer: where the output differs'),
  harnessCompleted: z.boolean().optional().describe('With testCode or a Go test file: whether the test code ran to its end'),
  failure: z
    .object({
      exceptionType: z.string().nullable(),
      message: z.string().nullable(),
      file: z.string().nullable(),
      line: z.number().int().nullable().describe("Innermost frame in the candidate's own lines (not the test code's); null when none is on the stack"),
    })
    .optional()
    .describe('For a runtime_error: the exception or panic and where, as the runtime reported it (Python, JavaScript, Java, Go, Rust). A hint for labelers, never an input to the verdict'),
  coverage: z
    .record(z.string(), z.array(z.number().int()))
    .nullable()
    .optional()
    .describe("With coverage: executed line numbers per file of the candidate's own code; null when the program ended before the tracer could report (os._exit, a kill)"),
  sandboxLost: z
    .boolean()
    .optional()
    .describe(
      "The sandbox did not survive this test: the program's memory use made the OOM killer take its supervisor (this test is then memory_limit_exceeded), or what the program left could not be wiped within the bound (this test keeps its verdict). The sandbox is retired, the rest are skipped, and the verdict is runtime_error when no test failed",
    ),
});

export const manifestSchema = z.object({
  language: z.string(),
  languageVersion: z.string(),
  image: z.string(),
  imageId: z.string(),
  limits: limitsResultSchema,
  checker: z.object({ mode: checkerModeSchema, absTolerance: z.number(), relTolerance: z.number() }),
  supervisorProtocol: z.number().int(),
  instanceId: z.string(),
});

export const submissionResultSchema = z.object({
  verdict: z.enum(verdicts),
  passed: z.number().int(),
  total: z.number().int(),
  compile: compileResultSchema.nullable().describe('null when no compile step ran: the language has none, or its syntax check (Python, JavaScript) was not needed because no test failed with a SyntaxError'),
  tests: z.array(testResultSchema),
  manifest: manifestSchema,
  wallTimeMs: z.number().describe('The whole submission, queueing excluded'),
  budgetExhausted: z
    .boolean()
    .optional()
    .describe('The tests used up limits.totalWallTimeMs: the test running then is time_limit_exceeded, the rest skipped, and the verdict is not accepted'),
  responseTruncated: z
    .boolean()
    .optional()
    .describe(
      "Present, true, when the request's response budget (VERDICT_MAX_RESPONSE_BYTES of stdout, stderr and compiler output across the whole answer) ran out: outputs of this result were cut or emptied, each marked by its own *Truncated flag. The verdicts were decided on the full output",
    ),
  cache: z
    .enum(cacheSources)
    .describe(
      '"hit": the stored result of an identical earlier submission, served only after a second run of it agreed on every test\'s verdict, exit status, signal, stdout, stderr (and compile outcome); its times and memory are those of the first run. "miss": judged for this request (the first and second identical submissions are judged, the second to confirm the first). "shared": the same run as an identical submission in flight at the same time. "off": caching not asked for or not applicable',
    ),
  nondeterministic: z
    .boolean()
    .optional()
    .describe(
      'Present, true, when runs of this very submission were seen to disagree (verdict, exit status, signal or output of a test): its outcome depends on chance (unseeded randomness, the clock, hash or map order), so it is never served from the cache and is judged afresh each time. Absent proves nothing: a chance outcome can agree with itself by luck',
    ),
});

export const batchItemErrorSchema = z.object({ code: z.string(), message: z.string(), retryable: z.boolean() });

export const batchLineSchema = z.discriminatedUnion('status', [
  z.object({ type: z.literal('item'), index: z.number().int(), id: z.string(), status: z.literal('ok'), result: submissionResultSchema }),
  z.object({
    type: z.literal('item'),
    index: z.number().int(),
    id: z.string(),
    status: z.literal('error'),
    error: batchItemErrorSchema.describe('Verdict or Docker failed for this item: not a verdict; retry it'),
  }),
  z.object({
    type: z.literal('item'),
    index: z.number().int(),
    id: z.string(),
    status: z.literal('not_run'),
    reason: z.enum(['deadline']),
  }),
]);

export const batchSummarySchema = z.object({
  type: z.literal('summary'),
  total: z.number().int(),
  ok: z.number().int(),
  error: z.number().int(),
  notRun: z.number().int(),
  verdicts: z.record(z.string(), z.number().int()).describe('Items judged, by overall verdict'),
  cacheHits: z.number().int(),
  deadlineExceeded: z.boolean(),
  responseTruncated: z.boolean().describe('The response budget (VERDICT_MAX_RESPONSE_BYTES) ran out: some results\' outputs were cut, each such result marked responseTruncated'),
  wallTimeMs: z.number(),
});

export const batchJsonResponseSchema = z.object({
  items: z.array(batchLineSchema).describe('In request order'),
  summary: batchSummarySchema,
});
