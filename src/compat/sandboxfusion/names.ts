/** SandboxFusion's language names, as Verdict runs them (or says why it does not). */

/**
 * SandboxFusion's language names that Verdict runs → Verdict's language ids. A Map: the name
 * is request text, and an object would also answer "constructor" or "toString".
 */
export const sandboxFusionLanguages: ReadonlyMap<string, string> = new Map([
  ['python', 'python'],
  ['cpp', 'cpp'],
  ['nodejs', 'javascript'],
  ['js', 'javascript'],
  ['typescript', 'typescript'],
  ['ts', 'typescript'],
  ['go', 'go'],
  // SandboxFusion writes go_test code to a *_test.go file and runs `go test` on it.
  ['go_test', 'go'],
  ['java', 'java'],
  ['rust', 'rust'],
]);

/** SandboxFusion names whose code is a test file whatever it declares: its entry file is fixed. */
export const testFileEntry: ReadonlyMap<string, string> = new Map([['go_test', 'main_test.go']]);

/**
 * SandboxFusion's test-runner names Verdict does not run, and why: each runs the code under a
 * framework the sandboxes lack, and running it as a plain program would run none of its tests.
 */
export const refusedTestRunners: ReadonlyMap<string, string> = new Map([
  ['pytest', "'pytest' runs the code's test_ functions with pytest, which this server does not have; send language 'python' with the calls at top level"],
  ['junit', "'junit' runs the code's @Test methods with JUnit 5, which this server does not have; send language 'java' with a main that runs the checks"],
  ['jest', "'jest' runs the code as a TypeScript jest test file, which this server does not have; send language 'typescript' or 'nodejs' with the checks at top level"],
]);

/** Languages SandboxFusion runs without a compile step: Verdict's syntax or type check is reported as part of the run. */
export const UNCOMPILED: ReadonlySet<string> = new Set(['python', 'javascript', 'typescript']);
