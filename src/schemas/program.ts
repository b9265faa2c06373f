/** Requests: one program, its tests, checker and limits; a submission, a problem, a batch. Part of the HTTP contract (src/schemas.ts). */
import { z } from 'zod';
import { MAX_DEADLINE_MS } from '../domain/limits.js';
import { checkerModes, limitNames, priorities, type LimitName } from '../domain/vocabulary.js';

export const MAX_TEXT = 64 * 1024 * 1024;

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
export const programFields = {
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
