import type { FastifyReply, FastifyRequest } from 'fastify';
import { MAX_DEADLINE_MS } from '../domain/limits.js';
import { BadRequestError, CancelledError } from '../errors.js';

/** Header of a single-program request: the milliseconds within which the caller needs its answer. */
export const DEADLINE_HEADER = 'x-verdict-deadline-ms';

/** The request's own deadline from DEADLINE_HEADER: undefined without one, 400 unless a positive integer. */
export function deadlineFromHeader(request: FastifyRequest): number | undefined {
  const raw = request.headers[DEADLINE_HEADER];
  if (raw === undefined) return undefined;
  const text = Array.isArray(raw) ? raw.join(',') : raw;
  const ms = /^[0-9]{1,9}$/.test(text) ? Number(text) : NaN;
  if (!(ms >= 1 && ms <= MAX_DEADLINE_MS)) {
    throw new BadRequestError('VERDICT_INVALID_REQUEST', `${DEADLINE_HEADER}: expected whole milliseconds from 1 to ${MAX_DEADLINE_MS}, got ${JSON.stringify(text.slice(0, 40))}`);
  }
  return ms;
}

/**
 * Fires when the client hangs up before its answer is complete: its queued
 * programs are dropped and its running sandboxes killed, since nobody would
 * read the verdicts.
 */
export function clientGone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort(new CancelledError('the client closed the connection'));
  });
  return controller.signal;
}
