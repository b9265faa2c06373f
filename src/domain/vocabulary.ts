/** Closed vocabularies: each array feeds both the TypeScript type and the zod schema. */

export const verdicts = [
  'accepted',
  'wrong_answer',
  'compile_error',
  'runtime_error',
  'time_limit_exceeded',
  'memory_limit_exceeded',
  'output_limit_exceeded',
  'skipped',
] as const;
export type Verdict = (typeof verdicts)[number];

export const checkerModes = ['exact', 'lines', 'tokens', 'float'] as const;
export type CheckerMode = (typeof checkerModes)[number];

export const compileStatuses = ['ok', 'failed', 'time_limit_exceeded', 'memory_limit_exceeded'] as const;
export type CompileStatus = (typeof compileStatuses)[number];

/** Why the supervisor itself ended a run; "none" means the program ended on its own. */
export const killReasons = ['none', 'cpu', 'wall', 'output', 'exec', 'setup'] as const;
export type KillReason = (typeof killReasons)[number];

export const limitNames = [
  'compileTimeMs',
  'compileMemoryBytes',
  'timeMs',
  'wallTimeMs',
  'memoryBytes',
  'outputBytes',
  'processes',
  'totalWallTimeMs',
] as const;
export type LimitName = (typeof limitNames)[number];
export type Limits = Record<LimitName, number>;

/**
 * Scheduling classes: an RL trainer waiting on rewards (`online`) goes before
 * bulk labeling (`offline`); within a class, requests share the slots round-robin.
 */
export const priorities = ['online', 'offline'] as const;
export type Priority = (typeof priorities)[number];

/** How a result was obtained: see the result cache (judge/cache.ts). */
export const cacheSources = ['hit', 'shared', 'miss', 'off'] as const;
export type CacheSource = (typeof cacheSources)[number];
