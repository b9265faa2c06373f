/** SandboxFusion's POST /run_code request and answers, as its clients (verl, the sandbox-fusion SDK) send and read them. */
import { z } from 'zod';
import { sandboxFusionLanguages } from './names.js';

/** Not strict: SandboxFusion's RunCodeRequest is a pydantic model with extra="ignore", and its clients send more. */
export const runCodeRequestSchema = z.object({
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
export type RunCodeRequest = z.infer<typeof runCodeRequestSchema>;

const commandRunResultSchema = z.object({
  status: z.enum(['Finished', 'Error', 'TimeLimitExceeded']),
  execution_time: z.number().nullable().describe('Seconds, wall clock'),
  return_code: z.number().int().nullable().describe('Exit status; a signal N as -N; null after a time limit'),
  stdout: z.string().nullable(),
  stderr: z.string().nullable(),
});
export type CommandRunResult = z.infer<typeof commandRunResultSchema>;

export const runCodeResponseSchema = z.object({
  status: z.enum(['Success', 'Failed', 'SandboxError']),
  message: z.string(),
  compile_result: commandRunResultSchema.nullable(),
  run_result: commandRunResultSchema.nullable(),
  files: z.record(z.string(), z.string()).describe('Always {}: fetch_files is not supported'),
});
export type RunCodeResponse = z.infer<typeof runCodeResponseSchema>;

/** FastAPI's answer to a request its model refuses (HTTP 422). */
export const validationErrorSchema = z.object({
  detail: z.array(
    z.object({
      type: z.string(),
      loc: z.array(z.union([z.string(), z.number()])),
      msg: z.string(),
      input: z.unknown().optional(),
    }),
  ),
});
export type ValidationDetail = z.infer<typeof validationErrorSchema>['detail'][number];

/** A request refused in FastAPI's words (422 with `detail`), by SandboxFusion's rules rather than the schema's. */
export class InvalidRunCode extends Error {
  constructor(readonly detail: ValidationDetail[]) {
    super(detail.map((d) => d.msg).join('; '));
  }
}
