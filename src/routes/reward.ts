import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { BadRequestError } from '../errors.js';
import type { BatchItem } from '../judge/submission.js';
import { ResponseBudget } from '../judge/response-budget.js';
import { extractCode, type Extraction } from '../reward/extract.js';
import { computeReward, rewardInputFromResult } from '../reward/presets.js';
import { errorSchema, rewardJsonResponseSchema, rewardRequestSchema, type RewardLine, type RewardRequest, type RewardSummary } from '../schemas.js';
import { requireLanguage } from '../judge/normalize.js';
import { answerLines, checkItemCount, checkJsonAnswerTests, checkUniqueIds, itemSubmission, judgeOptions, sharedProgram, wantsJson, type SharedProgram } from './programs.js';

interface Prepared {
  index: number;
  id: string;
  extraction: Omit<Extraction, 'code'>;
  /** Absent: the completion holds no code. */
  item?: BatchItem;
}

/** Extract every completion's program and check every item before anything runs. */
function prepare(body: RewardRequest, settings: Parameters<typeof itemSubmission>[3]): Prepared[] {
  checkUniqueIds(body.items);
  const policy = body.extraction ?? 'last_block';
  // Each named problem is prepared once, its tests converted once for all its completions.
  const shared = new Map<string, SharedProgram>();
  const sharedOf = (name: string, problem: NonNullable<RewardRequest['problems']>[string]) => {
    let found = shared.get(name);
    if (!found) {
      const { source: _s, files: _f, mode: _m, ...fields } = problem;
      found = sharedProgram(fields, `problems.${name}`, settings);
      shared.set(name, found);
    }
    return found;
  };
  return body.items.map(({ id, completion, problem: problemName, ...own }, index) => {
    const where = `items.${index}`;
    let problem;
    if (problemName !== undefined) {
      // Own keys only: "toString" must not find every object's method and drop the tests.
      problem = body.problems !== undefined && Object.hasOwn(body.problems, problemName) ? body.problems[problemName] : undefined;
      if (!problem) throw new BadRequestError('VERDICT_INVALID_REQUEST', `${where}.problem: no problem named ${JSON.stringify(problemName)} in "problems"`);
    }
    const languageName = own.language ?? problem?.language;
    if (languageName === undefined) throw new BadRequestError('VERDICT_INVALID_REQUEST', `${where}.language: needed, from the item or its problem`);
    const language = requireLanguage(languageName, `${where}.language`);
    const { code, ...extraction } = extractCode(completion, language, policy);
    if (code === null) return { index, id, extraction };
    const inherited = problemName !== undefined && problem ? sharedOf(problemName, problem) : undefined;
    return { index, id, extraction, item: { id, submission: itemSubmission(inherited, { ...own, source: code }, where, settings) } };
  });
}

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
      const preset = body.preset ?? 'binary';
      const policy = body.extraction ?? 'last_block';
      const prepared = prepare(body, app.config);
      const toJudge = prepared.flatMap((p) => (p.item ? [p.item] : []));
      if (wantsJson(request.headers.accept)) checkJsonAnswerTests(toJudge, 'items', app.config.maxJsonAnswerTests);
      const options = { ...judgeOptions(body, reply, 'online', app.config), budget: new ResponseBudget(app.config.maxResponseBytes) };
      const judging = app.judge.batch(toJudge, options);

      return answerLines<RewardLine, RewardSummary>(request, reply, async (emit, ready) => {
        const byId = new Map(prepared.map((p) => [p.id, p]));
        const rewards: number[] = [];
        for (const p of prepared) {
          if (p.item) continue;
          const reward = computeReward(preset, { kind: 'no_code' });
          rewards.push(reward);
          emit({ type: 'item', index: p.index, id: p.id, extraction: p.extraction, status: 'no_code', reward });
        }
        const batch = await judging.run((line) => {
          const p = byId.get(line.id)!;
          const base = { type: 'item' as const, index: p.index, id: p.id, extraction: p.extraction };
          if (line.status === 'ok') {
            const reward = computeReward(preset, rewardInputFromResult(line.result));
            rewards.push(reward);
            emit({ ...base, status: 'ok', reward, result: line.result });
          } else if (line.status === 'error') emit({ ...base, status: 'error', error: line.error });
          else emit({ ...base, status: 'not_run', reason: line.reason });
        }, ready);
        return {
          type: 'summary',
          preset,
          extraction: policy,
          total: prepared.length,
          judged: batch.ok,
          noCode: prepared.length - toJudge.length,
          error: batch.error,
          notRun: batch.notRun,
          meanReward: rewards.length > 0 ? Math.round((rewards.reduce((a, b) => a + b, 0) / rewards.length) * 1e6) / 1e6 : null,
          verdicts: batch.verdicts,
          deadlineExceeded: batch.deadlineExceeded,
          responseTruncated: batch.responseTruncated,
          wallTimeMs: batch.wallTimeMs,
        };
      });
    },
  );
};
