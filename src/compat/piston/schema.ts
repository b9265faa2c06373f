/** Piston's API v2 (engineer-man/piston) request and answers, as its clients send and read them. */
import { z } from 'zod';
import { relativePath } from '../../schemas.js';

const MAX_TEXT = 64 * 1024 * 1024;

const fileSchema = z.object({
  name: relativePath.optional().describe('The file name; the first file is the entry and is written under the language\'s own entry name'),
  content: z.string().max(MAX_TEXT),
  encoding: z.enum(['utf8', 'base64', 'hex']).optional().describe('Default utf8'),
});

const limitField = (what: string) => z.number().int().optional().describe(what);

/** Not strict: Piston destructures the fields it knows and ignores the rest, and its clients rely on that. */
export const pistonExecuteRequestSchema = z.object({
  language: z.string().min(1).max(64).describe('A language name or alias from GET /api/v2/runtimes'),
  version: z.string().max(64).describe('A SemVer selector: "*", or the version (or a prefix of it) listed by GET /api/v2/runtimes'),
  files: z.array(fileSchema).min(1).describe('The first file is the entry; the others are written beside it'),
  stdin: z.string().max(MAX_TEXT).optional(),
  args: z.array(z.string().max(4096)).max(256).optional(),
  compile_timeout: limitField('Milliseconds; the compile CPU limit (its wall limit is twice that). Absent or ≤ 0: Verdict\'s default; above the maximum: the maximum'),
  run_timeout: limitField('Milliseconds of wall-clock time for the run; also its CPU limit unless run_cpu_time is given. Absent or ≤ 0: Verdict\'s default; above the maximum: the maximum'),
  compile_cpu_time: limitField('Milliseconds of compile CPU time; with compile_timeout, the smaller wins'),
  run_cpu_time: limitField('Milliseconds of run CPU time'),
  compile_memory_limit: limitField('Bytes; -1 (or absent): Verdict\'s default; above the maximum: the maximum'),
  run_memory_limit: limitField('Bytes; -1 (or absent): Verdict\'s default; above the maximum: the maximum'),
});
export type PistonExecuteRequest = z.infer<typeof pistonExecuteRequestSchema>;
export type PistonFile = PistonExecuteRequest['files'][number];

const stageSchema = z.object({
  stdout: z.string(),
  stderr: z.string(),
  output: z.string().describe('stdout followed by stderr (their interleaving is not recorded)'),
  code: z.number().int().nullable().describe('Exit code, or null when a signal ended the process'),
  signal: z.string().nullable().describe('e.g. SIGKILL, or null'),
  message: z.string().nullable().describe('Why the stage failed, for people'),
  status: z.enum(['RE', 'SG', 'TO', 'OL', 'EL']).nullable().describe('RE exited non-zero, SG died on a signal (or exceeded its memory), TO time limit, OL/EL stdout/stderr over the output limit; null when it succeeded'),
  cpu_time: z.number().describe('Milliseconds'),
  wall_time: z.number().describe('Milliseconds'),
  memory: z.number().describe('Peak bytes'),
});
export type PistonStage = z.infer<typeof stageSchema>;

export const pistonExecuteResponseSchema = z.object({
  language: z.string(),
  version: z.string(),
  compile: stageSchema.optional().describe('Only for languages with a compile stage (C, C++, Java, TypeScript, Go, Rust)'),
  run: stageSchema.optional().describe('Absent when compilation failed, as in Piston'),
});
export type PistonExecuteResponse = z.infer<typeof pistonExecuteResponseSchema>;

export const pistonRuntimesResponseSchema = z.array(
  z.object({ language: z.string(), version: z.string(), aliases: z.array(z.string()), runtime: z.string().optional() }),
);
export type PistonRuntimes = z.infer<typeof pistonRuntimesResponseSchema>;
