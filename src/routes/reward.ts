/**
 * POST /v1/reward: the HTTP side of a reward job (src/reward/job.ts). The request is checked
 * against the server's bounds, its programs validated as the contract's programs, and the
 * job's lines streamed as NDJSON or answered as one JSON document.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ResponseBudget } from '../judge/response-budget.js';
import { prepareRewardJob, runRewardJob } from '../reward/job.js';
import type { RewardLine, RewardSummary } from '../reward/model.js';
import { errorSchema, rewardJsonResponseSchema, rewardRequestSchema } from '../schemas.js';
import { answerLines, checkItemCount, checkJsonAnswerTests, checkUniqueIds, itemSubmission, judgeOptions, sharedProgram, wantsJson } from './programs.js';

export const rewardRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/v1/reward',
    {
      schema: {
        tags: ['judge'],
        summary: 'One reward per model completion: extract the program, judge it, score it with a named preset',
        description:
          'Each completion is raw model text; the program is taken out of it by the extraction policy (text inside <think>…</think> ignored) and judged against its problem. ' +
          'A completion without code is status "no_code" with the preset\'s value for it. A failure of Verdict or Docker is status "error" with retryable true and no reward: never score it. ' +
          'Answers as NDJSON like /v1/batch (one line per completion as it is judged, then a summary), or as one JSON document with "Accept: application/json".',
        body: rewardRequestSchema,
        response: { 200: rewardJsonResponseSchema, 400: errorSchema, 413: errorSchema, 429: errorSchema, 503: errorSchema },
      },
    },
    async (request, reply) => {
      const body = request.body;
      checkItemCount(body.items.length, 'items', app.config.maxBatchItems);
      checkUniqueIds(body.items);
      const job = prepareRewardJob(body, {
        problem: (fields, where) => sharedProgram(fields, where, app.config),
        item: (problem, own, where) => itemSubmission(problem, own, where, app.config),
      });
      if (wantsJson(request.headers.accept)) checkJsonAnswerTests(job.programs, 'items', app.config.maxJsonAnswerTests);
      const options = { ...judgeOptions(body, reply, 'online', app.config), budget: new ResponseBudget(app.config.maxResponseBytes) };
      // Before the answer starts: a refusal (429) must still be the response's status.
      const judging = app.judge.batch(job.programs, options);
      return answerLines<RewardLine, RewardSummary>(request, reply, (emit, ready) =>
        runRewardJob(job, (onLine) => judging.run(onLine, ready), emit),
      );
    },
  );
};
