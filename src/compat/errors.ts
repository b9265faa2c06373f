/**
 * A thrown error read as the service's error handler (src/app.ts) reads it, so a drop-in answers
 * the same failures in its peer's shape without its own copy of the reading: Verdict's own errors,
 * a body the route's schema refuses, another client error from fastify, and a bug.
 */
import type { FastifyError } from 'fastify';
import { hasZodFastifySchemaValidationErrors, type ZodFastifySchemaValidationError } from 'fastify-type-provider-zod';
import { VerdictError } from '../errors.js';

export type RequestFailure =
  | { kind: 'verdict'; error: VerdictError }
  | { kind: 'schema'; validation: readonly ZodFastifySchemaValidationError[] }
  | { kind: 'client'; status: number; code: 'VERDICT_BODY_TOO_LARGE' | 'VERDICT_INVALID_REQUEST'; message: string }
  | { kind: 'internal' };

export function readFailure(error: FastifyError, bodyLimitBytes: number): RequestFailure {
  if (error instanceof VerdictError) return { kind: 'verdict', error };
  if (hasZodFastifySchemaValidationErrors(error)) return { kind: 'schema', validation: error.validation };
  const status = error.statusCode ?? 500;
  if (status === 413) return { kind: 'client', status, code: 'VERDICT_BODY_TOO_LARGE', message: `the request body exceeds ${bodyLimitBytes} bytes` };
  if (status >= 400 && status < 500) return { kind: 'client', status, code: 'VERDICT_INVALID_REQUEST', message: error.message };
  return { kind: 'internal' };
}
