import { BadRequestError } from '../errors.js';
import { limitNames, type Limits } from './vocabulary.js';

/** The longest deadline any many-item request can have (the request schemas' bound; a server may set a lower maximum). */
export const MAX_DEADLINE_MS = 24 * 3600 * 1000;

/**
 * Fill in defaults and refuse anything above the server's maximum. Without an
 * explicit wall limit, a raised CPU limit raises the wall limit with it, so a
 * request for 10 s of CPU is not cut at the default 5 s of wall time, and a
 * raised wall limit raises the tests' total budget with it.
 */
export function resolveLimits(requested: Partial<Limits> | undefined, defaults: Limits, max: Limits): Limits {
  const over = limitNames.filter((name) => requested?.[name] !== undefined && requested[name]! > max[name]);
  if (over.length > 0) {
    throw new BadRequestError(
      'VERDICT_LIMIT_TOO_HIGH',
      over.map((name) => `limits.${name}: ${requested![name]} exceeds the server maximum ${max[name]}`).join('; '),
      { maxLimits: max },
    );
  }
  const limits = { ...defaults, ...stripUndefined(requested ?? {}) };
  if (requested?.wallTimeMs === undefined) {
    limits.wallTimeMs = Math.min(max.wallTimeMs, Math.max(defaults.wallTimeMs, limits.timeMs * 2 + 1000));
  }
  // Likewise the default budget of all tests holds at least one test at its full wall limit.
  if (requested?.totalWallTimeMs === undefined) {
    limits.totalWallTimeMs = Math.min(max.totalWallTimeMs, Math.max(defaults.totalWallTimeMs, limits.wallTimeMs));
  }
  return limits;
}

function stripUndefined(limits: Partial<Limits>): Partial<Limits> {
  return Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined));
}
