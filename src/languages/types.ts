/** What a language is to Verdict: its image, its files, its commands. */

/** What the commands of one submission may depend on. */
export interface BuildContext {
  /** The entry file, relative to the program directory. */
  entry: string;
  /** Its content, for languages whose build depends on it (Rust test harnesses). */
  entrySource: string;
  /** The program's files the compiler is handed (those matching `sourcePattern`), in request order. */
  sources: readonly string[];
  /** The run memory limit: runtimes with their own heap (JVM, V8) are sized below it. */
  memoryBytes: number;
  cpus: number;
}

export interface LanguageDefinition {
  id: string;
  aliases: readonly string[];
  name: string;
  /** Folder under sandbox-images/ that builds this language's image. */
  imageFolder: string;
  /** The file a one-file `source` is written to, unless `entryFor` decides otherwise. */
  sourceFile: string;
  /** For a one-file `source`, the file name the source itself calls for (a Java public class, a Go test file). */
  entryFor?(source: string): string;
  /** Names accepted as the entry of a `files` program; the first present wins. Default: [sourceFile]. */
  entryFiles?: readonly string[];
  /** Files of a program the compiler is handed. */
  sourcePattern: RegExp;
  compile?: {
    argv(ctx: BuildContext): string[];
    /** "run": a check that needs no more than the program's own memory limit. */
    memory: 'compile' | 'run';
    /** Shown in GET /v1/languages. */
    display: string;
    /**
     * A check, not a build: the run needs nothing it makes, and a program that fails it cannot
     * run at all. It is then run only when a test fails with stderr matching this (the program
     * may have raised that error itself, so the check decides), which saves an interpreter start
     * per program. "compile"-mode requests still run it first.
     */
    onlyAfterFailure?: RegExp;
  };
  run: { argv(ctx: BuildContext): string[]; display: string };
  /**
   * Line coverage on request: the run under a tracer that, as the program ends, prints
   * "\n<marker>\n" and one JSON line {"coverage": {"<file>": [lines]}} for the program's files,
   * with the marker from the environment variable `markerEnv` (which it hides from the program).
   */
  coverage?: {
    argv(ctx: BuildContext): string[];
    markerEnv: string;
    /** Added to the compile command of a traced program (compiled languages). */
    compileFlags?: readonly string[];
    /** The tracer's JSON line → executed lines per file (relative to the program directory), when it is not already {"coverage": {...}}. */
    fromReport?(report: unknown): Record<string, number[]> | undefined;
    /**
     * Whether a line missing from the report surely did not run. False for gcov at -O2, which
     * misses lines that ran: a label then never says "not covered" on its word alone.
     */
    complete: boolean;
  };
  /**
   * Function-call tests: a trusted runner that reads {"marker", "args", "kwargs", "coverage"} as
   * JSON on stdin, calls `entry` in the program and ends stdout with "\n<marker>\n" and one JSON
   * line: {"ok": true, "value": …} or {"ok": false, "error": "…"} (a value that is not plain JSON),
   * plus "coverage" when asked. The value is serialized by the runner, never by the program.
   */
  call?: { argv(ctx: BuildContext, entry: string): string[] };
  /** The whole environment of compile and run; nothing is inherited. */
  env(ctx: BuildContext): Record<string, string>;
  versionCommand: readonly string[];
}

export const baseEnv = {
  PATH: '/usr/local/bin:/usr/bin:/bin',
  HOME: '/tmp',
  TMPDIR: '/tmp',
  LANG: 'C.UTF-8',
  LC_ALL: 'C.UTF-8',
} as const;

export const MiB = 1024 * 1024;
