/**
 * The HTTP contract. These zod schemas validate requests, type the handlers
 * and generate openapi/openapi.json.
 */
import { z } from 'zod';
import { MAX_DEADLINE_MS } from './domain/limits.js';
import { cacheSources, checkerModes, compileStatuses, limitNames, priorities, verdicts, type LimitName } from './domain/vocabulary.js';
import { extractionPolicies, extractionPolicyDescriptions } from './reward/extract.js';
import { rewardPresetDescriptions, rewardPresets } from './reward/presets.js';
import { editOps, type Edit } from './label/edits.js';
import type { LabelLine, LabelRequest, LabelResponse, LabelVariantResult, VariantRequest } from './label/model.js';
import { killCauses, labelOutcomes } from './label/outcomes.js';
import type { RewardItemRequest, RewardLine, RewardRequest, RewardSummary } from './reward/model.js';
import type {
  CallRequest,
  CheckerRequest,
  LimitsRequest,
  ProblemRequest,
  ProgramRequest,
  SourceFileRequest,
  SubmissionRequest,
  TestCaseRequest,
} from './domain/requests.js';
import type { BatchItemError, BatchLine, BatchSummary, CompileResult, Manifest, SubmissionResult, TestResult } from './domain/results.js';

// The types of what the contract describes are the domain's own (checked at the end of this file).
export type { LabelResponse } from './label/model.js';
export type { RewardLine, RewardSummary } from './reward/model.js';
export type { ProgramRequest, SubmissionRequest } from './domain/requests.js';
export type { BatchLine, BatchSummary, CompileResult, SubmissionResult, TestResult } from './domain/results.js';

const MAX_TEXT = 64 * 1024 * 1024;

export const relativePath = z
  .string()
  .min(1)
  .max(255)
  .regex(/^(?!\/)(?!.*(^|\/)\.{1,2}(\/|$))[A-Za-z0-9._\-/]+$/, 'a relative path of letters, digits, ".", "_", "-" and "/", without "." or ".." segments')
  .refine((p) => !p.includes('//') && !p.endsWith('/'), 'no empty path segments');

export const sourceFileSchema = z
  .object({
    path: relativePath,
    content: z.string().max(MAX_TEXT),
  })
  .strict();

/**
 * The deepest nesting of arrays and objects accepted in a free-form JSON value (call arguments,
 * expected values). What handles such a value after validation recurses: JSON.stringify for
 * the cache key and the sandbox's stdin, structuredClone, valueDifference (src/domain/values.ts),
 * json.loads in the sandbox's runner. V8's stack ends near 6,000 levels (a 500) and Python's
 * default near 1,000; 128 is serde_json's default and more than any test needs.
 */
export const MAX_JSON_DEPTH = 128;

/** Whether `value` nests deeper than `max` levels; iterative, so measuring any depth is safe, and it stops at the first level too deep. */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const pending: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (next.value === null || typeof next.value !== 'object') continue;
    const depth = next.depth + 1;
    if (depth > max) return true;
    for (const child of Array.isArray(next.value) ? next.value : Object.values(next.value)) pending.push({ value: child, depth });
  }
  return false;
}

/** Any JSON value, nested at most MAX_JSON_DEPTH levels; deeper is a 400 naming the field. */
const jsonValue = z.unknown().superRefine((value, ctx) => {
  if (nestsDeeperThan(value, MAX_JSON_DEPTH)) ctx.addIssue({ code: 'custom', message: `nested deeper than ${MAX_JSON_DEPTH} levels of arrays and objects` });
});

export const callSchema = z
  .object({
    args: z.array(jsonValue).max(10_000).describe('Positional arguments, as JSON'),
    kwargs: z.record(z.string(), jsonValue).optional().describe('Keyword arguments (Python)'),
  })
  .strict();

export const testCaseSchema = z.object({
  id: z.string().min(1).max(128).optional().describe('Defaults to the 1-based position'),
  call: callSchema
    .optional()
    .describe('A function-call test: call "entryPoint" with these arguments instead of feeding stdin (Python, JavaScript)'),
  expected: jsonValue
    .optional()
    .describe('With "call": the expected return value, as JSON, compared outside the sandbox (numbers by value; within tolerances with the "float" checker)'),
  stdin: z.string().max(MAX_TEXT).optional(),
  expectedStdout: z.string().max(MAX_TEXT).optional().describe('Omitted: the test passes when the program exits 0'),
  args: z.array(z.string().max(4096)).max(256).optional(),
})
  // A misspelt field ("expected_output") would otherwise be dropped, and the test pass on exit 0.
  .strict();

export const checkerModeSchema = z.enum(checkerModes);

export const checkerObjectSchema = z
  .object({
    mode: checkerModeSchema,
    absTolerance: z.number().nonnegative().optional().describe('float mode; default 1e-6'),
    relTolerance: z.number().nonnegative().optional().describe('float mode; default 1e-6'),
  })
  // A misspelt tolerance ("tolerance", "atol") would otherwise leave the default 1e-6 in force.
  .strict();

export const checkerSchema = z.union([checkerModeSchema, checkerObjectSchema]);

const limitDescriptions: Record<LimitName, string> = {
  compileTimeMs: 'CPU and wall time of the compile stage',
  compileMemoryBytes: 'Memory of the compile stage',
  timeMs: 'CPU time per test, all processes of the program together',
  wallTimeMs: 'Wall-clock time per test; default max(5000, 2 × timeMs + 1000)',
  memoryBytes: 'Memory per test (resident, all processes together; no swap)',
  outputBytes: 'stdout plus stderr per test; more is output_limit_exceeded',
  processes: 'Processes and threads alive at once',
  totalWallTimeMs:
    'Wall-clock time of all tests together; default max(60000, wallTimeMs). When it runs out, the test running is cut (time_limit_exceeded), the rest are skipped, and the result says budgetExhausted',
};

export const limitsSchema = z
  .object(Object.fromEntries(limitNames.map((name) => [name, z.number().int().positive().optional().describe(limitDescriptions[name])])) as Record<
    LimitName,
    z.ZodOptional<z.ZodNumber>
  >)
  .strict();

export const prioritySchema = z
  .enum(priorities)
  .describe('"online" (default) is judged before "offline": reward calls for a waiting trainer before bulk labeling');
export const cacheFlagSchema = z.boolean().describe('false: judge again even when an identical submission was judged before; default true');

/** The fields that describe one program and its tests, shared by single submissions and batch items. */
const programFields = {
  language: z.string().min(1).max(64).describe('An id or alias from GET /v1/languages'),
  source: z.string().max(MAX_TEXT).optional().describe('The program as one file'),
  files: z.array(sourceFileSchema).min(1).optional().describe('The program as several files; one must be the language\'s source file'),
  tests: z.array(testCaseSchema).optional().describe('No tests: run the program once, accepted when it exits 0'),
  checker: checkerSchema.optional().describe('How stdout is compared; default "lines"'),
  limits: limitsSchema.optional(),
  stopOnFirstFailure: z.boolean().optional().describe('Skip the tests after the first one not accepted; default false'),
  mode: z.enum(['run', 'compile']).optional().describe('"compile": only the compile stage (a syntax check for Python)'),
  testCode: z
    .string()
    .max(MAX_TEXT)
    .optional()
    .describe(
      'Test code run after the program in the same process (HumanEval check(candidate), MBPP asserts). A run passes only if the test code finishes: exiting early, even with 0, is a runtime_error. Needs "source".',
    ),
  entryPoint: z
    .string()
    .regex(/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)?$/, 'a function name, or Class.method')
    .optional()
    .describe('For "call" tests: the function, or "Solution.method" (the class is instantiated without arguments)'),
  coverage: z
    .boolean()
    .optional()
    .describe("Report per test the executed lines of the candidate's own code (Python by tracing; C and C++ by gcov, which at -O2 misses some lines that ran); the run is slower"),
};

function programRefinements<T extends z.ZodType<{ source?: string | undefined; files?: unknown; testCode?: string | undefined }>>(schema: T) {
  return schema
    .refine((r) => (r.source === undefined) !== (r.files === undefined), {
      message: 'give the program as exactly one of "source" or "files"',
      path: ['source'],
    })
    .refine((r) => r.testCode === undefined || r.source !== undefined, {
      message: '"testCode" is composed with a one-file "source", not with "files"',
      path: ['testCode'],
    });
}

export const programSchema = programRefinements(z.object(programFields).strict());

export const submissionRequestSchema = programRefinements(
  z
    .object({
      ...programFields,
      priority: prioritySchema.optional(),
      cache: cacheFlagSchema.optional(),
    })
    .strict(),
);

/** Every field of a program is optional here: what the problem gives, an item need not repeat. */
export const problemSchema = z
  .object(programFields)
  .partial()
  .strict()
  .describe("What every item shares (one problem's tests, language, limits); an item's own fields override these");

export const batchItemSchema = z
  .object({
    id: z.string().min(1).max(256).describe("The client's id for this candidate, echoed on its result line"),
    ...programFields,
  })
  .partial({ language: true })
  .strict();

export const batchRequestSchema = z
  .object({
    problem: problemSchema.optional(),
    items: z.array(batchItemSchema).min(1).describe('The candidates; each becomes problem + item'),
    priority: prioritySchema.optional(),
    cache: cacheFlagSchema.optional(),
    deadlineMs: z
      .number()
      .int()
      .positive()
      .max(MAX_DEADLINE_MS)
      .optional()
      .describe(
        "Overall deadline; default the server's (VERDICT_DEFAULT_DEADLINE_MS, 1 h), at most its maximum (400 beyond). When it passes, the items not yet judged are answered as not_run and their sandboxes killed",
      ),
  })
  .strict();
export type BatchRequest = z.infer<typeof batchRequestSchema>;

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

const describeAll = (descriptions: Record<string, string>) =>
  Object.entries(descriptions)
    .map(([k, v]) => `"${k}": ${v}`)
    .join('; ');

const { source: _source, files: _files, mode: _mode, ...rewardProgramFields } = programFields;

export const rewardItemSchema = z
  .object({
    id: z.string().min(1).max(256).describe("The client's id for this completion, echoed on its line"),
    completion: z.string().max(MAX_TEXT).describe('Raw model output; the program is extracted from it'),
    problem: z.string().min(1).max(256).optional().describe('A key of "problems"'),
    ...rewardProgramFields,
  })
  .partial({ language: true })
  .strict();

export const rewardRequestSchema = z
  .object({
    preset: z.enum(rewardPresets).optional().describe(`How a verdict becomes a number; default "binary". ${describeAll(rewardPresetDescriptions)}`),
    extraction: z
      .enum(extractionPolicies)
      .optional()
      .describe(`Which code of a completion is judged; default "last_block". ${describeAll(extractionPolicyDescriptions)}`),
    problems: z
      .record(z.string().min(1).max(256), problemSchema)
      .optional()
      .describe('Problems by name (language, tests, testCode, limits…), referred to by items\' "problem"'),
    items: z.array(rewardItemSchema).min(1),
    priority: prioritySchema.optional(),
    cache: cacheFlagSchema.optional(),
    deadlineMs: z.number().int().positive().max(MAX_DEADLINE_MS).optional().describe('As in /v1/batch: past it, what is not judged is not_run'),
  })
  .strict();

const extractionSchema = z.object({
  policy: z.enum(extractionPolicies),
  blocksFound: z.number().int(),
  blocksUsed: z.number().int(),
  reasoningRemoved: z.boolean(),
});

const rewardLineBase = { type: z.literal('item'), index: z.number().int(), id: z.string(), extraction: extractionSchema };
export const rewardLineSchema = z.discriminatedUnion('status', [
  z.object({ ...rewardLineBase, status: z.literal('ok'), reward: z.number(), result: submissionResultSchema }),
  z.object({ ...rewardLineBase, status: z.literal('no_code'), reward: z.number().describe("The preset's value for a completion without code") }),
  z.object({
    ...rewardLineBase,
    status: z.literal('error'),
    error: batchItemErrorSchema.describe('Verdict or Docker failed: no reward; retry this completion'),
  }),
  z.object({ ...rewardLineBase, status: z.literal('not_run'), reason: z.enum(['deadline']) }),
]);

export const rewardSummarySchema = z.object({
  type: z.literal('summary'),
  preset: z.enum(rewardPresets),
  extraction: z.enum(extractionPolicies),
  total: z.number().int(),
  judged: z.number().int(),
  noCode: z.number().int(),
  error: z.number().int(),
  notRun: z.number().int(),
  meanReward: z.number().nullable().describe('Over judged and no-code completions; null when there are none'),
  verdicts: z.record(z.string(), z.number().int()),
  deadlineExceeded: z.boolean(),
  responseTruncated: z.boolean().describe('The response budget (VERDICT_MAX_RESPONSE_BYTES) ran out: some results\' outputs were cut, each such result marked responseTruncated'),
  wallTimeMs: z.number(),
});

export const rewardJsonResponseSchema = z.object({ items: z.array(rewardLineSchema).describe('In request order'), summary: rewardSummarySchema });

const labelTag = z.union([z.string().max(1024), z.number(), z.boolean(), z.null()]);

export const editSchema = z
  .object({
    op: z.enum(editOps),
    startLine: z.number().int().describe('1-based; insert puts text before this line (line count + 1 appends)'),
    endLine: z.number().int().optional().describe('Inclusive; replace and delete, default startLine'),
    text: z.string().max(MAX_TEXT).optional().describe('The new lines (replace, insert)'),
  })
  .strict();

export const variantSchema = z
  .object({
    id: z.string().min(1).max(256),
    tags: z.record(z.string().max(128), labelTag).optional().describe('Echoed back: the client\'s own labels (line, kind, model, …)'),
    edit: editSchema.optional(),
    source: z.string().max(MAX_TEXT).optional().describe('A whole program instead of an edit; diffed against the reference by lines'),
  })
  .strict()
  .refine((v) => (v.edit === undefined) !== (v.source === undefined), { message: 'give exactly one of "edit" or "source"', path: ['edit'] });

export const labelRequestSchema = z
  .object({
    language: programFields.language,
    reference: z.string().max(MAX_TEXT).describe('The correct program every variant edits; it must pass every test'),
    tests: programFields.tests,
    testCode: programFields.testCode,
    checker: programFields.checker,
    limits: programFields.limits,
    entryPoint: programFields.entryPoint,
    variants: z.array(variantSchema).max(100_000),
    coverage: z
      .boolean()
      .optional()
      .describe('Trace executed lines to tell survived from survived_not_covered; default true where the language supports it (Python, C, C++; for C and C++ coverage can confirm an edit ran but never deny it)'),
    priority: prioritySchema.optional().describe('Default "offline": labeling yields to reward calls'),
    cache: cacheFlagSchema.optional(),
    deadlineMs: z.number().int().positive().max(MAX_DEADLINE_MS).optional(),
  })
  .strict();

const labelTestSchema = z.object({ id: z.string(), verdict: z.enum(verdicts), failure: testResultSchema.shape.failure });

export const labelVariantSchema = z.object({
  id: z.string(),
  tags: z.record(z.string(), labelTag).optional(),
  status: z.enum(['ok', 'error', 'not_run']).describe('"error": Verdict or Docker failed for this variant (retry it); "not_run": past the deadline'),
  outcome: z.enum(labelOutcomes).optional(),
  killedBy: z
    .object({ testId: z.string(), cause: z.enum(killCauses), verdict: z.enum(verdicts) })
    .optional()
    .describe('killed: the first failing test in test order and why'),
  covered: z.boolean().nullable().optional().describe('Whether any test executed an edited line; null when coverage is unknown'),
  sameAs: z.string().optional().describe('Judged once for an identical earlier variant (this id), or "reference" when the edit changed nothing'),
  edit: z.object({
    removedReferenceLines: z.array(z.number().int()),
    addedVariantLines: z.array(z.number().int()),
    anchorReferenceLines: z.array(z.number().int()),
  }),
  verdict: z.enum(verdicts).optional(),
  compileStatus: z.enum(compileStatuses).nullable().optional(),
  tests: z.array(labelTestSchema).optional().describe('This variant\'s row of the variants × tests matrix'),
  error: batchItemErrorSchema.optional(),
});

export const labelLineSchema = z.object({
  line: z.number().int(),
  kind: z.enum(['blank', 'comment', 'code']),
  statement: z.number().int().nullable().describe('Index into "statements" of the innermost statement spanning this line'),
  executedBy: z.array(z.string()).nullable().describe('Tests whose run of the reference executed this line; null without coverage'),
  variants: z.number().int(),
  killed: z.number().int(),
  survived: z.number().int(),
  survivedNotCovered: z.number().int(),
  killedBy: z.record(z.string(), z.number().int()),
});

export const labelResponseSchema = z.object({
  reference: z.object({
    status: z.enum(['passed', 'failed']).describe('"failed": the reference does not pass its tests, so no variant was run'),
    failingTests: z.array(z.object({ id: z.string(), verdict: z.enum(verdicts) })),
    result: submissionResultSchema,
  }),
  tests: z.array(z.string()).describe('Test ids: the columns of every variant\'s row'),
  variants: z.array(labelVariantSchema),
  lines: z.array(labelLineSchema).describe('Per line of the reference: its kind, its statement, the tests that ran it and what its variants did'),
  statements: z
    .array(z.object({ startLine: z.number().int(), endLine: z.number().int(), type: z.string(), depth: z.number().int() }))
    .nullable()
    .describe("Statement spans by the language's own parser (Python); null for other languages"),
  summary: z.object({
    variants: z.number().int(),
    judged: z.number().int().describe('Distinct programs run (identical variants run once)'),
    killed: z.number().int(),
    survived: z.number().int(),
    survivedNotCovered: z.number().int(),
    error: z.number().int(),
    notRun: z.number().int(),
    killedBy: z.record(z.string(), z.number().int()),
    responseTruncated: z.boolean().describe('The response budget (VERDICT_MAX_RESPONSE_BYTES) ran out: the reference result\'s outputs were cut'),
    wallTimeMs: z.number(),
  }),
});

export const errorSchema = z.object({
  code: z.string().describe('Stable error code, e.g. VERDICT_DOCKER_UNAVAILABLE'),
  message: z.string(),
  retryable: z.boolean(),
  details: z.unknown().optional(),
});

export const languageSchema = z.object({
  id: z.string(),
  aliases: z.array(z.string()),
  name: z.string(),
  version: z.string().nullable().describe('The toolchain as it reports itself; null until its image is built'),
  sourceFile: z.string(),
  compileCommand: z.string().nullable(),
  runCommand: z.string(),
  image: z.string().nullable(),
  imageId: z.string().nullable(),
});

export const languagesResponseSchema = z.object({ languages: z.array(languageSchema) });

/**
 * Exactly the same type, not merely assignable: a field added, dropped or made optional on one
 * side only fails to compile, so the contract and the domain model cannot drift apart.
 */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Holds<T extends true> = T;

/** What each schema parses into is the domain's own type. */
export type ContractMatchesDomain = [
  Holds<Same<z.output<typeof sourceFileSchema>, SourceFileRequest>>,
  Holds<Same<z.output<typeof callSchema>, CallRequest>>,
  Holds<Same<z.output<typeof testCaseSchema>, TestCaseRequest>>,
  Holds<Same<z.output<typeof checkerSchema>, CheckerRequest>>,
  Holds<Same<z.output<typeof limitsSchema>, LimitsRequest>>,
  Holds<Same<z.output<typeof programSchema>, ProgramRequest>>,
  Holds<Same<z.output<typeof problemSchema>, ProblemRequest>>,
  Holds<Same<z.output<typeof submissionRequestSchema>, SubmissionRequest>>,
  Holds<Same<z.output<typeof compileResultSchema>, CompileResult>>,
  Holds<Same<z.output<typeof testResultSchema>, TestResult>>,
  Holds<Same<z.output<typeof manifestSchema>, Manifest>>,
  Holds<Same<z.output<typeof submissionResultSchema>, SubmissionResult>>,
  Holds<Same<z.output<typeof batchItemErrorSchema>, BatchItemError>>,
  Holds<Same<z.output<typeof batchLineSchema>, BatchLine>>,
  Holds<Same<z.output<typeof batchSummarySchema>, BatchSummary>>,
  Holds<Same<z.output<typeof rewardItemSchema>, RewardItemRequest>>,
  Holds<Same<z.output<typeof rewardRequestSchema>, RewardRequest>>,
  Holds<Same<z.output<typeof rewardLineSchema>, RewardLine>>,
  Holds<Same<z.output<typeof rewardSummarySchema>, RewardSummary>>,
  Holds<Same<z.output<typeof editSchema>, Edit>>,
  Holds<Same<z.output<typeof variantSchema>, VariantRequest>>,
  Holds<Same<z.output<typeof labelRequestSchema>, LabelRequest>>,
  Holds<Same<z.output<typeof labelVariantSchema>, LabelVariantResult>>,
  Holds<Same<z.output<typeof labelLineSchema>, LabelLine>>,
  Holds<Same<z.output<typeof labelResponseSchema>, LabelResponse>>,
];
