/**
 * Reward hacks against test code (`testCode`): wrong programs that try to pass HumanEval- or
 * MBPP-style asserts without being right, by reaching the test code, the harness or the runtime.
 * Each must get a verdict other than accepted; run by test/docker/test-code-hacks.test.ts.
 */
import type { Verdict } from '../../../src/domain/vocabulary.js';
import type { LanguageId } from '../../../src/languages/ids.js';

export interface TestCodeHack {
  name: string;
  language: LanguageId;
  /** The candidate: a wrong solution plus its trick. */
  source: string;
  /** A right solution of the same problem, without tricks: accepted by the same test code. */
  right: string;
  /** The test code; absent where the program is its own (a Go test file: candidate and Test functions in one source). */
  testCode?: string;
  entryPoint?: string;
  /** What the service must answer; never `accepted`. A list where the trick can fail more than one way (`why` says how). */
  expect: Exclude<Verdict, 'accepted'> | ReadonlyArray<Exclude<Verdict, 'accepted'>>;
  why?: string;
}
