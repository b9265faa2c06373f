/**
 * What test code (`testCode`) can run, read from its text in one pass: HumanEval's `test` field
 * only defines `check(candidate)` and its harness calls `check(entry_point)`; a file of only
 * definitions (pytest-style `test_` functions, a JavaScript test function never called) runs no
 * check at all; Python checks under `if __name__ == "__main__":` do not run when the program is
 * imported for function-call tests. Composed as they are, each of these would be `accepted`
 * whatever the candidate does. The scanners are character loops (no regular expression over the
 * text), linear in its length; they only have to tell definitions from code that runs, so what
 * they cannot place is counted as code that runs.
 */

export interface TestCodeShape {
  /** A top-level definition of `check` (`def check(`; `function check(`, `const check =`). */
  definesCheck: boolean;
  /** A call of `check(…)` in code that runs (not inside another definition, for Python). */
  callsCheck: boolean;
  /** Some top-level code besides definitions, imports and constant assignments. */
  runs: boolean;
  /** Python: code that runs only under an `if __name__ == "__main__":` guard. */
  runsAsMain: boolean;
}

/** How a language's test code is read, and what the answer to what it reads says in that language. */
export interface TestCodeReader {
  shape(text: string): TestCodeShape;
  /** An entry point `Class.method` as the value passed to check: the method of a fresh instance (as call tests call it). */
  methodValue(cls: string, method: string): string;
  /** The 400 message for test code that only defines things, so no check would run. */
  definitionsOnly: string;
}

export const isIdentChar = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x24 || c >= 0x80;
