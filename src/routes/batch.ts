import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { BatchItem } from '../judge/submission.js';
import { ResponseBudget } from '../judge/response-budget.js';
import { batchJsonResponseSchema, batchRequestSchema, errorSchema, type BatchLine, type BatchRequest, type BatchSummary } from '../schemas.js';
import { answerLines, checkItemCount, checkJsonAnswerTests, checkUniqueIds, itemSubmission, judgeOptions, sharedProgram, wantsJson } from './programs.js';

/** Every item checked before any runs: a malformed item is a 400 naming it, not a half-judged batch. */
function itemsOf(body: BatchRequest, settings: Parameters<typeof itemSubmission>[3]): BatchItem[] {
  checkUniqueIds(body.items);
  const problem = sharedProgram(body.problem, 'problem', settings);
  return body.items.map(({ id, ...own }, index) => ({ id, submission: itemSubmission(problem, own, `items.${index}`, settings) }));
}

export const batchRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/v1/batch',
    {
      schema: {
        tags: ['judge'],
        summary: 'Judge many programs: one problem × N candidates, or independent submissions',
        description:
          'Each item is problem + item (item fields win). Answers as NDJSON (application/x-ndjson, the default): one line per item as soon as it is judged, in completion order, then one summary line. With "Accept: application/json" the same lines come as one JSON document in request order (the schema below). ' +
          'An item whose judging failed in Verdict or Docker gets status "error" (retry it); past deadlineMs the rest get status "not_run". The whole batch is admitted or refused (429 with Retry-After) at once. Closing the connection cancels the batch.',
        body: batchRequestSchema,
        response: { 200: batchJsonResponseSchema, 400: errorSchema, 413: errorSchema, 429: errorSchema, 503: errorSchema },
      },
    },
    async (request, reply) => {
      const body = request.body;
      checkItemCount(body.items.length, 'items', app.config.maxBatchItems);
      const items = itemsOf(body, app.config);
      if (wantsJson(request.headers.accept)) checkJsonAnswerTests(items, 'items', app.config.maxJsonAnswerTests);
      const options = { ...judgeOptions(body, reply, 'online', app.config), budget: new ResponseBudget(app.config.maxResponseBytes) };
      // Admission before the first byte: once the stream starts, the status is 200.
      const batch = app.judge.batch(items, options);

      return answerLines<BatchLine, BatchSummary>(request, reply, (emit, ready) => batch.run(emit, ready));
    },
  );
};
