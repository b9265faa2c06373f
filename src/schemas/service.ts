/** The service's own answers: errors and the language list. Part of the HTTP contract (src/schemas.ts). */
import { z } from 'zod';

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
