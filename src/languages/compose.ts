/**
 * Test-code harnesses (HumanEval's check(candidate), MBPP's asserts): the
 * service composes the candidate with the test code and a trailer that prints
 * a per-submission completion marker once the test code has finished. A run
 * counts only when the marker arrives, so a program that exits 0 before the
 * tests ran (sys.exit(0), os._exit(0), process.exit(0), exit(0),
 * System.exit(0)) is not accepted. The marker is random per submission: a
 * policy cannot learn it, only read it out of its own program on purpose
 * (see SECURITY.md).
 *
 * A failed check of the test code itself (an assertion in the test code's own
 * lines) makes the trailer print a second line, checkFailedMarker(marker),
 * before the program dies: the judge then answers wrong_answer, as the same bug
 * gets under stdin or call tests. The trailer decides from where the runtime
 * says the failure arose (a traceback, a stack, the panic's or assert's
 * location), never from what the program printed; a crash in the candidate's
 * own lines stays a runtime_error.
 */

export interface HarnessInput {
  source: string;
  testCode: string;
  marker: string;
}

export interface ComposedProgram {
  /** Files of the program; the first is the entry. */
  files: Array<{ path: string; content: string }>;
  /** Extra compiler arguments the harness needs (placed before the sources). */
  compileFlags?: string[];
}

/** A language's composer: candidate, test code and trailer as the program to run. */
export type HarnessComposer = (input: HarnessInput) => ComposedProgram;

/**
 * For a program that is its own test code (built as a test binary from `entry`): the file its
 * harness adds beside it, or undefined when it gets none.
 */
export type TestFileHarness = (entry: string, files: ReadonlyArray<{ path: string; content: string }>, marker: string) => { path: string; content: string } | undefined;

/** The line the trailer prints when a check of the test code failed; derived, so the cache key's marker splitting covers it. */
export function checkFailedMarker(marker: string): string {
  return `${marker}-check-failed`;
}

/** Lines of the candidate's source as composed before the test code: any later line of that file is the harness's or the test code's. */
export function sourceLines(source: string): number {
  let lines = 1;
  for (let at = source.indexOf('\n'); at >= 0; at = source.indexOf('\n', at + 1)) lines++;
  return lines;
}
