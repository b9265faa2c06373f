/**
 * The HTTP contract. These zod schemas validate requests, type the handlers
 * and generate openapi/openapi.json.
 */
import { z } from 'zod';
import { checkerModes, compileStatuses, limitNames, verdicts, type LimitName } from './domain/vocabulary.js';

const MAX_TEXT = 64 * 1024 * 1024;

export const relativePath = z
  .string()
  .min(1)
  .max(255)
  .regex(/^(?!\/)(?!.*(^|\/)\.{1,2}(\/|$))[A-Za-z0-9._\-/]+$/, 'a relative path of letters, digits, ".", "_", "-" and "/", without "." or ".." segments')
  .refine((p) => !p.includes('//') && !p.endsWith('/'), 'no empty path segments');

export const sourceFileSchema = z.object({
  path: relativePath,
  content: z.string().max(MAX_TEXT),
});

export const testCaseSchema = z.object({
  id: z.string().min(1).max(128).optional().describe('Defaults to the 1-based position'),
  stdin: z.string().max(MAX_TEXT).optional(),
  expectedStdout: z.string().max(MAX_TEXT).optional().describe('Omitted: the test passes when the program exits 0'),
  args: z.array(z.string().max(4096)).max(256).optional(),
});

export type TestCaseRequest = z.infer<typeof testCaseSchema>;

export const checkerModeSchema = z.enum(checkerModes);

export const checkerSchema = z.union([
  checkerModeSchema,
  z.object({
    mode: checkerModeSchema,
    absTolerance: z.number().nonnegative().optional().describe('float mode; default 1e-6'),
    relTolerance: z.number().nonnegative().optional().describe('float mode; default 1e-6'),
  }),
]);

const limitDescriptions: Record<LimitName, string> = {
  compileTimeMs: 'CPU and wall time of the compile stage',
  compileMemoryBytes: 'Memory of the compile stage',
  timeMs: 'CPU time per test, all processes of the program together',
  wallTimeMs: 'Wall-clock time per test; default max(5000, 2 × timeMs + 1000)',
  memoryBytes: 'Memory per test (resident, all processes together; no swap)',
  outputBytes: 'stdout plus stderr per test; more is output_limit_exceeded',
  processes: 'Processes and threads alive at once',
};

export const limitsSchema = z
  .object(Object.fromEntries(limitNames.map((name) => [name, z.number().int().positive().optional().describe(limitDescriptions[name])])) as Record<
    LimitName,
    z.ZodOptional<z.ZodNumber>
  >)
  .strict();

export const submissionRequestSchema = z
  .object({
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
  })
  .strict()
  .refine((r) => (r.source === undefined) !== (r.files === undefined), {
    message: 'give the program as exactly one of "source" or "files"',
    path: ['source'],
  })
  .refine((r) => r.testCode === undefined || r.source !== undefined, {
    message: '"testCode" is composed with a one-file "source", not with "files"',
    path: ['testCode'],
  });

export type SubmissionRequest = z.infer<typeof submissionRequestSchema>;

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
  harnessCompleted: z.boolean().optional().describe('With testCode: whether the test code ran to its end'),
  sandboxLost: z
    .boolean()
    .optional()
    .describe("The program's memory use made the OOM killer take the sandbox's supervisor: this test is memory_limit_exceeded and the rest are skipped"),
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
  compile: compileResultSchema.nullable().describe('null for a language without a compile stage'),
  tests: z.array(testResultSchema),
  manifest: manifestSchema,
  wallTimeMs: z.number().describe('The whole submission, queueing excluded'),
});
export type SubmissionResult = z.infer<typeof submissionResultSchema>;
export type TestResult = z.infer<typeof testResultSchema>;
export type CompileResult = z.infer<typeof compileResultSchema>;

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
