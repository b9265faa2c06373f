/**
 * The service's answer to a failed request: Verdict's own errors by their code and status, a
 * body its route's schema refuses as a 400 naming each field (unknown keys with the field meant),
 * other client errors by fastify's status, and anything else as a retryable 500. The drop-ins
 * answer the same failures (read by readFailure) in their peers' shapes.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Metrics } from '../metrics.js';
import { unknownKeyIssues } from './unknown-keys.js';
import { readFailure } from './failure.js';

/** Validation issues a 400 names; the rest are counted, so the answer stays small whatever the body. */
export const MAX_ISSUES_NAMED = 20;

export function errorHandler(options: { bodyLimitBytes: number; metrics: Metrics }) {
  const { bodyLimitBytes, metrics } = options;
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const failure = readFailure(error, bodyLimitBytes);
    switch (failure.kind) {
      case 'verdict': {
        const failed = failure.error;
        if (failed.statusCode >= 500) {
          metrics.errors.inc({ code: failed.code });
          request.log.warn({ err: failed, code: failed.code }, 'request failed');
        }
        if (failed.retryAfterSeconds !== undefined) void reply.header('retry-after', String(failed.retryAfterSeconds));
        const details = 'details' in failed ? failed.details : undefined;
        return reply.status(failed.statusCode).send({ code: failed.code, message: failed.message, retryable: failed.retryable, ...(details ? { details } : {}) });
      }
      case 'schema': {
        const issues = failure.validation.flatMap((v) => {
          const pointer = v.instancePath.replace(/^\//, '');
          const path = pointer === '' ? [] : pointer.split('/');
          // Each unknown key is its own issue, named by its full path and, where it is a known alias, the field meant.
          if (v.keyword === 'unrecognized_keys' && Array.isArray(v.params.keys)) return unknownKeyIssues(request.routeOptions.url, path, v.params.keys.map(String));
          return [{ path: path.join('.') || '(root)', message: v.message ?? 'invalid' }];
        });
        // A body of a million bad tests has a million issues: the answer names the first ones and counts the rest.
        const named = issues.slice(0, MAX_ISSUES_NAMED);
        const more = issues.length - named.length;
        return reply.status(400).send({
          code: 'VERDICT_INVALID_REQUEST',
          message: named.map((i) => `${i.path}: ${i.message}`).join('; ') + (more > 0 ? `; and ${more} more issues` : ''),
          retryable: false,
          details: { issues: named, ...(more > 0 ? { moreIssues: more } : {}) },
        });
      }
      case 'client':
        return reply.status(failure.status).send({ code: failure.code, message: failure.message, retryable: false });
      case 'internal':
        metrics.errors.inc({ code: 'VERDICT_INTERNAL' });
        request.log.error({ err: error }, 'unexpected failure');
        return reply.status(500).send({ code: 'VERDICT_INTERNAL', message: 'internal error', retryable: true });
    }
  };
}
