/**
 * One number per completion. A trainer compares rewards across steps and runs,
 * so a preset is a fixed function of the outcome: no randomness, no timings.
 */
import type { Verdict } from '../domain/vocabulary.js';
import type { SubmissionResult } from '../domain/results.js';

export const rewardPresets = ['binary', 'fraction', 'coderl', 'rltf', 'compile_only'] as const;
export type RewardPreset = (typeof rewardPresets)[number];

export type RewardInput =
  | { kind: 'no_code' }
  | {
      kind: 'judged';
      verdict: Verdict;
      passed: number;
      total: number;
      compileFailed: boolean;
      /** The first test not accepted; when absent, the overall verdict stands in for it. */
      firstFailure?: Verdict;
    };

export const rewardPresetDescriptions: Record<RewardPreset, string> = {
  binary: '1 if accepted, else 0',
  fraction: 'Tests passed / tests run (no tests: 1 if accepted, else 0); 0 on compile error or no code',
  coderl: 'CodeRL (Le et al. 2022): −1 compile error or no code, −0.6 runtime error or limit exceeded, −0.3 wrong answer, +1 accepted',
  rltf: 'RLTF adaptive feedback (Liu et al. 2023): −1 compile error or no code, +1 accepted, else −0.3 + 1.3 × passed / total',
  compile_only: '+1 if it compiled (or passed the syntax check), −1 on compile error or no code',
};

// CodeRL counts every way a run dies before finishing as a runtime error, timeouts included.
const runtimeFailures: ReadonlySet<Verdict> = new Set<Verdict>(['runtime_error', 'time_limit_exceeded', 'memory_limit_exceeded', 'output_limit_exceeded']);

export function computeReward(preset: RewardPreset, input: RewardInput): number {
  if (input.kind === 'judged') checkCounts(input.passed, input.total);
  return round(raw(preset, input));
}

function raw(preset: RewardPreset, input: RewardInput): number {
  if (input.kind === 'no_code') return preset === 'binary' || preset === 'fraction' ? 0 : -1;
  // The verdict says compile_error whenever the compile stage failed; either fact is enough.
  const compileFailed = input.compileFailed || input.verdict === 'compile_error';
  const accepted = input.verdict === 'accepted';
  switch (preset) {
    case 'binary':
      return accepted ? 1 : 0;
    case 'fraction':
      if (compileFailed) return 0;
      return input.total === 0 ? (accepted ? 1 : 0) : input.passed / input.total;
    case 'coderl': {
      if (compileFailed) return -1;
      if (accepted) return 1;
      const failure = input.firstFailure !== undefined && input.firstFailure !== 'accepted' && input.firstFailure !== 'skipped' ? input.firstFailure : input.verdict;
      return runtimeFailures.has(failure) ? -0.6 : -0.3;
    }
    case 'rltf':
      if (compileFailed) return -1;
      if (accepted) return 1;
      return -0.3 + (input.total === 0 ? 0 : (1.3 * input.passed) / input.total);
    case 'compile_only':
      return compileFailed ? -1 : 1;
  }
}

function checkCounts(passed: number, total: number): void {
  if (!Number.isInteger(passed) || !Number.isInteger(total) || passed < 0 || passed > total) {
    throw new RangeError(`reward input needs whole counts with 0 ≤ passed ≤ total, got passed ${passed}, total ${total}`);
  }
}

/** Six decimals hide float noise (0.30000000000000004) so equal outcomes give equal numbers; `+ 0` turns −0 into 0. */
function round(x: number): number {
  return Math.round(x * 1e6) / 1e6 + 0;
}

/** The reward input of a judged submission, read the way the judge decides "compiled". */
export function rewardInputFromResult(result: Pick<SubmissionResult, 'verdict' | 'passed' | 'total' | 'compile' | 'tests'>): RewardInput {
  const firstFailure = result.tests.find((t) => t.verdict !== 'accepted' && t.verdict !== 'skipped')?.verdict;
  return {
    kind: 'judged',
    verdict: result.verdict,
    passed: result.passed,
    total: result.total,
    compileFailed: result.verdict === 'compile_error' || (result.compile !== null && result.compile.status !== 'ok'),
    ...(firstFailure !== undefined ? { firstFailure } : {}),
  };
}
