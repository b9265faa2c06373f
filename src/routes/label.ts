/**
 * POST /v1/label: the HTTP side of a labeling job (src/label/job.ts). The request is checked
 * against the server's bounds, its programs validated as the contract's programs, and the
 * job's answer sent as one JSON document.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { JudgeLines } from '../domain/results.js';
import { requireLanguage } from '../judge/normalize.js';
import { prepareLabelJob, runLabelJob } from '../label/job.js';
import type { LabelResponse } from '../label/model.js';
import { errorSchema, labelRequestSchema, labelResponseSchema } from '../schemas.js';
import { checkItemCount, checkJsonAnswerTests, checkUniqueIds, itemSubmission, judgeOptions, sharedProgram } from './programs.js';

export const labelRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/v1/label',
    {
      schema: {
        tags: ['judge'],
        summary: 'Label the lines of a program by how edits of them fare against its tests',
        description:
          'The reference must pass every test (else reference.status is "failed", naming the failing tests, and no variant runs). Each variant is the reference with one edit (replace, insert or delete lines) or a whole program; identical variants run once. ' +
          'Per variant: its row of the variants × tests matrix and an outcome: "killed" (the first failing test and why), "survived" (every test passed and some test ran an edited line), or "survived_not_covered" (no test ran an edited line). Per reference line: its kind, statement, the tests that ran it, and its variants\' outcomes.',
        body: labelRequestSchema,
        response: { 200: labelResponseSchema, 400: errorSchema, 413: errorSchema, 429: errorSchema, 503: errorSchema },
      },
    },
    async (request, reply): Promise<LabelResponse> => {
      const body = request.body;
      const language = requireLanguage(body.language);
      checkItemCount(body.variants.length, 'variants', app.config.maxBatchItems);
      checkUniqueIds(body.variants.map((v) => ({ id: v.id })));
      // The reference and every variant share the request's problem: its tests converted once, held once.
      const job = prepareLabelJob(body, language, (problem) => {
        const shared = sharedProgram(problem, undefined, app.config);
        return (source, coverage, where) => itemSubmission(shared, { source, coverage }, where, app.config);
      });
      // A label answer is always one JSON document; variants the same as another share its result.
      checkJsonAnswerTests([{ submission: job.reference }, ...job.programs], 'variants', app.config.maxJsonAnswerTests);
      const options = judgeOptions(body, reply, 'offline', app.config);
      // The reference, its segmentation and every distinct variant: admitted whole or refused (429) whole.
      const variantRuns = app.judge.batch(job.programs, { ...options, alongside: 2 });
      const judgeVariants: JudgeLines = (onLine) => variantRuns.run(onLine);
      return runLabelJob({ judge: app.judge, maxResponseBytes: app.config.maxResponseBytes }, job, options, judgeVariants);
    },
  );
};
