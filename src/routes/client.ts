import type { FastifyReply } from 'fastify';
import { CancelledError } from '../errors.js';

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
