/**
 * Where a failed program failed, read from what its runtime printed: the
 * exception (or panic) and the innermost stack frame in the candidate's own
 * lines, not the harness's, the runtime's or a library's. Best effort per
 * language, from the formats each runtime documents; C and C++ print no
 * stack, so they get none. The program's stderr is its own to write, so this
 * is a hint for labelers, never an input to a verdict.
 */
import { isLanguageId, languagesById } from '../languages/registry.js';
import type { FailureLocation, OwnCode } from '../languages/runtime-report.js';

export { reportWindow, type FailureLocation, type OwnCode } from '../languages/runtime-report.js';

/** For the languages whose runtimes report where they failed (their definition's `failureLocation`); undefined when nothing was recognised. */
export function failureLocation(language: string, stderr: string, own: OwnCode): FailureLocation | undefined {
  return isLanguageId(language) ? languagesById[language].failureLocation?.(stderr, own) : undefined;
}
