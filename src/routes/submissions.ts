import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { normalizeSubmission } from '../judge/normalize.js';
import { ResponseBudget } from '../judge/response-budget.js';
import { errorSchema, submissionRequestSchema, submissionResultSchema } from '../schemas.js';
import { clientGone, DEADLINE_HEADER, deadlineFromHeader } from './client.js';

export const submissionRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/v1/submissions',
    {
      schema: {
        tags: ['judge'],
        summary: 'Judge one program against its tests',
        description:
          `Compiles the program once in a fresh sandbox and runs every test in it. A 200 answer carries the verdict whatever the program did; 4xx means the request is wrong; 429 means the queue is full (retry after Retry-After); 503 means Verdict or Docker failed (retryable). With the header ${DEADLINE_HEADER}: <ms>, a request whose expected wait for a sandbox plus its own limits cannot fit in that deadline is answered 504 VERDICT_DEADLINE_UNREACHABLE with Retry-After at once, instead of being queued.`,
        body: submissionRequestSchema,
        response: { 200: submissionResultSchema, 400: errorSchema, 413: errorSchema, 429: errorSchema, 503: errorSchema, 504: errorSchema },
      },
    },
    async (request, reply) => {
      const submission = normalizeSubmission(request.body, app.config);
      const result = await app.judge.submit(submission, {
        priority: request.body.priority ?? 'online',
        cache: request.body.cache ?? true,
        signal: clientGone(reply),
        answerWithinMs: deadlineFromHeader(request),
      });
      return new ResponseBudget(app.config.maxResponseBytes).trim(result);
    },
  );
};
