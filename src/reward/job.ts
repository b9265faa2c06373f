/**
 * Rewards as a job: model completions → each one's program extracted, judged against its
 * problem and scored by a preset. A completion without code scores the preset's value for it
 * and is never judged; a failure of Verdict or Docker is an error line without a reward.
 *
 * Two steps, so every completion is extracted and its item checked before anything runs:
 * prepareRewardJob, then runRewardJob, which emits one line per completion as it is judged.
 * The job never holds the judge: it reads the lines of a batch its caller admitted and runs.
 */
import { BadRequestError } from '../errors.js';
import type { JudgeLines } from '../domain/results.js';
import type { BatchItem, Submission } from '../judge/submission.js';
import { requireLanguage } from '../judge/normalize.js';
import type { ProblemRequest } from '../domain/requests.js';
import { extractCode, type ExtractionPolicy } from './extract.js';
import type { ExtractionReport, RewardItemRequest, RewardLine, RewardRequest, RewardSummary } from './model.js';
import { computeReward, rewardInputFromResult, type RewardPreset } from './presets.js';

/** An item's own program fields: its completion's code is its source. */
type ItemProgram = Omit<RewardItemRequest, 'id' | 'completion' | 'problem'> & { source: string };

/**
 * How the caller turns request fields into programs (its validation of a program and its tests):
 * a named problem prepared once for all its completions, an item's submission on top of it.
 */
export interface RewardPrograms<Problem> {
  problem(fields: Omit<ProblemRequest, 'source' | 'files' | 'mode'>, where: string): Problem;
  item(problem: Problem | undefined, own: ItemProgram, where: string): Submission;
}

/** One completion, extracted; absent `item`: it holds no code. */
export interface PreparedCompletion {
  index: number;
  id: string;
  extraction: ExtractionReport;
  item?: BatchItem;
}

/** A reward request extracted and checked, ready to run. */
export interface RewardJob {
  preset: RewardPreset;
  policy: ExtractionPolicy;
  completions: PreparedCompletion[];
  /** The completions with code, in request order: what the judge runs. */
  programs: BatchItem[];
}

/** Extracts every completion's program and checks every item. */
export function prepareRewardJob<Problem>(request: RewardRequest, programs: RewardPrograms<Problem>): RewardJob {
  const preset = request.preset ?? 'binary';
  const policy = request.extraction ?? 'last_block';
  // Each named problem is prepared once, its tests converted once for all its completions.
  const shared = new Map<string, Problem>();
  const sharedOf = (name: string, problem: ProblemRequest) => {
    let found = shared.get(name);
    if (found === undefined) {
      const { source: _s, files: _f, mode: _m, ...fields } = problem;
      found = programs.problem(fields, `problems.${name}`);
      shared.set(name, found);
    }
    return found;
  };
  const completions = request.items.map(({ id, completion, problem: problemName, ...own }, index): PreparedCompletion => {
    const where = `items.${index}`;
    let problem;
    if (problemName !== undefined) {
      // Own keys only: "toString" must not find every object's method and drop the tests.
      problem = request.problems !== undefined && Object.hasOwn(request.problems, problemName) ? request.problems[problemName] : undefined;
      if (!problem) throw new BadRequestError('VERDICT_INVALID_REQUEST', `${where}.problem: no problem named ${JSON.stringify(problemName)} in "problems"`);
    }
    const languageName = own.language ?? problem?.language;
    if (languageName === undefined) throw new BadRequestError('VERDICT_INVALID_REQUEST', `${where}.language: needed, from the item or its problem`);
    const language = requireLanguage(languageName, `${where}.language`);
    const { code, ...extraction } = extractCode(completion, language, policy);
    if (code === null) return { index, id, extraction };
    const inherited = problemName !== undefined && problem ? sharedOf(problemName, problem) : undefined;
    return { index, id, extraction, item: { id, submission: programs.item(inherited, { ...own, source: code }, where) } };
  });
  return { preset, policy, completions, programs: completions.flatMap((c) => (c.item ? [c.item] : [])) };
}

/**
 * Scores the completions without code at once, then each judged one as its line comes from
 * `judgeCompletions` (job.programs, admitted and run by the caller); resolves to the summary.
 */
export async function runRewardJob(job: RewardJob, judgeCompletions: JudgeLines, emit: (line: RewardLine) => void): Promise<RewardSummary> {
  const { preset } = job;
  const byId = new Map(job.completions.map((c) => [c.id, c]));
  const rewards: number[] = [];
  for (const c of job.completions) {
    if (c.item) continue;
    const reward = computeReward(preset, { kind: 'no_code' });
    rewards.push(reward);
    emit({ type: 'item', index: c.index, id: c.id, extraction: c.extraction, status: 'no_code', reward });
  }
  const batch = await judgeCompletions((line) => {
    const c = byId.get(line.id)!;
    const base = { type: 'item' as const, index: c.index, id: c.id, extraction: c.extraction };
    if (line.status === 'ok') {
      const reward = computeReward(preset, rewardInputFromResult(line.result));
      rewards.push(reward);
      emit({ ...base, status: 'ok', reward, result: line.result });
    } else if (line.status === 'error') emit({ ...base, status: 'error', error: line.error });
    else emit({ ...base, status: 'not_run', reason: line.reason });
  });
  return {
    type: 'summary',
    preset,
    extraction: job.policy,
    total: job.completions.length,
    judged: batch.ok,
    noCode: job.completions.length - job.programs.length,
    error: batch.error,
    notRun: batch.notRun,
    meanReward: rewards.length > 0 ? Math.round((rewards.reduce((a, b) => a + b, 0) / rewards.length) * 1e6) / 1e6 : null,
    verdicts: batch.verdicts,
    deadlineExceeded: batch.deadlineExceeded,
    responseTruncated: batch.responseTruncated,
    wallTimeMs: batch.wallTimeMs,
  };
}
