/**
 * How a drop-in's one program is judged. Raw execution: its client wants the program run, even a
 * random one, so never an earlier run's output (no result cache); online priority, through the
 * scheduler like any submission; dropped when the client goes.
 */
import type { FastifyReply } from 'fastify';
import type { SubmitOptions } from '../judge/submission.js';
import { clientGone } from '../routes/client.js';

export function rawRunOptions(reply: FastifyReply, answerWithinMs: number | undefined): SubmitOptions {
  return { priority: 'online', cache: false, signal: clientGone(reply), answerWithinMs };
}
