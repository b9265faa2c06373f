import { createHash, randomBytes } from 'node:crypto';

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
  /** The completion line and the check-failed line, hidden (see hiddenMarker). */
  proof: HiddenMarker;
}

export interface ComposedProgram {
  /** Files of the program; the first is the entry. */
  files: Array<{ path: string; content: string }>;
  /** Extra compiler arguments the harness needs (placed before the sources). */
  compileFlags?: string[];
  /** Files only the compiler may read (the trailer's, holding the hidden marker): removed once it ran. */
  compileOnly?: string[];
}

/** A language's composer: candidate, test code and trailer as the program to run. */
export type HarnessComposer = (input: HarnessInput) => ComposedProgram;

/**
 * For a program that is its own test code (built as a test binary from `entry`): the file its
 * harness adds beside it, or undefined when it gets none.
 */
export type TestFileHarness = (entry: string, files: ReadonlyArray<{ path: string; content: string }>, proof: HiddenMarker) => { path: string; content: string } | undefined;

/**
 * The line the trailer prints when a check of the test code failed: derived from the marker, so
 * the cache key's marker splitting covers it, but one way only. A program that catches this line
 * on its way out (its own `write`, a pipe put over stdout) must learn nothing of the completion
 * line from it.
 */
export function checkFailedMarker(marker: string): string {
  return `verdict-check-failed-${createHash('sha256').update(marker).digest('hex').slice(0, 32)}`;
}

/** Lines of the candidate's source as composed before the test code: any later line of that file is the harness's or the test code's. */
export function sourceLines(source: string): number {
  let lines = 1;
  for (let at = source.indexOf('\n'); at >= 0; at = source.indexOf('\n', at + 1)) lines++;
  return lines;
}

/**
 * The trailer's two lines, "\n<marker>\n" and "\n<check-failed marker>\n", as one table of
 * bytes: for each line a random key, then the line XOR the key (no key byte is 0, so no byte of
 * the line shows through). The trailer prints line i as table[start+j] ^ table[start+n+j]. The
 * table is written into the trailer's file as `list` (decimal bytes, comma-separated; every
 * language's array literal takes it between its brackets) and is random per submission like the
 * marker, so the cache key treats it (and fileTag) as it treats the marker.
 */
export interface HiddenMarker {
  marker: string;
  /**
   * Random too, for the trailer's file name: the compiler runs as the candidate, and a name it
   * knows could be read into its own code at compile time (`#include`, `include_bytes!`).
   */
  fileTag: string;
  /** The table's bytes as decimal numbers separated by commas. */
  list: string;
  /** Offset and length in the table of the completion line and of the check-failed line. */
  done: { start: number; length: number };
  failed: { start: number; length: number };
}

export function hiddenMarker(marker: string): HiddenMarker {
  const lines = [`\n${marker}\n`, `\n${checkFailedMarker(marker)}\n`].map((l) => Buffer.from(l, 'latin1'));
  const table: number[] = [];
  const spans = lines.map((line) => {
    const start = table.length;
    const key = randomBytes(line.length);
    for (let i = 0; i < key.length; i++) table.push(key[i]! === 0 ? 0x5a : key[i]!);
    for (let i = 0; i < line.length; i++) table.push(line[i]! ^ table[start + i]!);
    return { start, length: line.length };
  });
  return { marker, fileTag: randomBytes(12).toString('hex'), list: table.join(','), done: spans[0]!, failed: spans[1]! };
}
