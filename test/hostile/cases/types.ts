/**
 * The hostile corpus: programs that attack the sandbox, each with the verdict
 * the service must give. One table per category (resources.ts, time.ts, ...),
 * run by test/docker/hostile.test.ts.
 */
import type { SubmissionResult } from '../../../src/schemas.js';
import type { Verdict } from '../../../src/domain/vocabulary.js';
import type { LanguageId } from '../../../src/languages/ids.js';

export type Category = 'resources' | 'time' | 'output' | 'processes' | 'information' | 'network' | 'compile' | 'runtime';

export type Language = LanguageId;

export interface HostileTest {
  id?: string;
  stdin?: string;
  expectedStdout?: string;
  args?: string[];
}

export type HostileLimits = Partial<
  Record<'compileTimeMs' | 'compileMemoryBytes' | 'timeMs' | 'wallTimeMs' | 'memoryBytes' | 'outputBytes' | 'processes', number>
>;

/** A submission body without its language-independent wrapping: what the runner posts. */
export interface SubmissionBody {
  language: Language;
  source?: string;
  files?: Array<{ path: string; content: string }>;
  tests?: HostileTest[];
  limits?: HostileLimits;
  checker?: 'exact' | 'lines' | 'tokens' | 'float';
}

/** What a case's `check` gets besides its own result. */
export interface CheckContext {
  /** The companion's result, when the case has one. */
  companion?: SubmissionResult;
  /** Host clock (ms since the epoch) when the case's answer and the companion's arrived. */
  answeredAt: number;
  companionAnsweredAt?: number;
}

export interface HostileCase {
  name: string;
  category: Category;
  language: Language;
  /** One file, or several (one must be the language's entry file). */
  source?: string;
  files?: Array<{ path: string; content: string }>;
  /** Omitted: one run, accepted on exit 0. */
  tests?: HostileTest[];
  limits?: HostileLimits;
  checker?: 'exact' | 'lines' | 'tokens' | 'float';
  /**
   * The overall verdict the service must give; a list only where the kernel may
   * legitimately end the program in more than one way (then `why` says how).
   */
  expect: Verdict | readonly Verdict[];
  /** Why this verdict, when the name does not say it (required for a list). */
  why?: string;
  /** Further facts, e.g. that a later test of the same submission still passed. Throws on failure. */
  check?: (result: SubmissionResult, ctx: CheckContext) => void;
  /**
   * A second submission judged at the same time, posted `leadMs` before this
   * case: for leaks between submissions.
   */
  companion?: { body: SubmissionBody; leadMs: number };
}

export const KiB = 1024;
export const MiB = 1024 * 1024;

/** For a program that must be killed: whether the CPU or the wall limit comes first, it is time_limit_exceeded. */
export const quick = { timeMs: 1000, wallTimeMs: 2000 } as const;

/**
 * For a program that must end by itself, or on a memory or output limit: a wall
 * limit far above its CPU need, so a busy machine cannot turn it into a time verdict.
 */
export const roomy = { timeMs: 2000, wallTimeMs: 10_000 } as const;

/** For a program that must be killed by the CPU limit, counted over all its processes and threads, not by the wall. */
export const cpuBound = { timeMs: 1000, wallTimeMs: 15_000 } as const;

/** Limits for the compile-time bombs: the compile stage must end within them, whatever the way. */
export const compileBomb = { compileTimeMs: 5000, compileMemoryBytes: 256 * MiB } as const;
