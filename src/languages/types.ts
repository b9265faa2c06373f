/**
 * What a language is to Verdict: its image, its files, its commands, and everything else the
 * service knows of it (test-code harness, failure reports, fence tags, comment syntax, drop-in
 * names), so adding a language touches its own folder and the registry only.
 */
import type { HarnessComposer, TestFileHarness } from './compose.js';
import type { LanguageId } from './ids.js';
import type { FailureLocationParser } from './runtime-report.js';
import type { TestCodeReader } from './test-code-reader.js';

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

/** What the lexical segmenter (label/segment.ts) needs to tell comments from code. */
export interface CommentSyntax {
  /** Starts a comment that runs to the end of the line. */
  line: string;
  block?: { open: string; close: string };
  /** Characters that open a string literal closed by the same character (a backslash escapes). */
  quotes: readonly string[];
}

/** The names the drop-in APIs give the language (src/routes/compat-*.ts). */
export interface DropInNames {
  /** Piston's name for it and the aliases GET /api/v2/runtimes lists beside Verdict's own. */
  piston: { name: string; aliases: readonly string[] };
  /** SandboxFusion's language names that run it; none when SandboxFusion has no such language. */
  sandboxFusion: readonly string[];
}

export interface LanguageDefinition {
  id: LanguageId;
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
  /** Composes a candidate with `testCode` and the trailer that proves the tests ran; none: no testCode, or `trustedTestCode`. */
  harness?: HarnessComposer;
  /**
   * `testCode` run by a trusted process beside the program, never composed into it (a paired run,
   * sandbox/protocol.ts): `serve` loads the program and answers the test process's calls on fds 3
   * and 4 (traced for coverage under `coverage.markerEnv`); `runner` runs as the supervisor's
   * trusted user, reads {"testCode": "..."} on stdin and ends its output with its report, one JSON
   * line (judge/trusted-report.ts). Only that report can pass the tests.
   */
  trustedTestCode?: { serve(ctx: BuildContext): string[]; runner: readonly string[]; runnerEnv: Readonly<Record<string, string>> };
  /** For a program that is its own test code (a Go test file): the file its harness adds. */
  testFileHarness?: TestFileHarness;
  /** Reads what a testCode runs (HumanEval's uncalled check, definitions only) before it is composed. */
  testCodeReader?: TestCodeReader;
  /** Where a failed run failed, from its runtime's report on stderr; none: the runtime prints no stack. */
  failureLocation?: FailureLocationParser;
  /** Tags models put on fences for it, beyond its id and aliases (reward/extract.ts). */
  fenceTags: readonly string[];
  comments: CommentSyntax;
  /**
   * A parser-based line segmenter run in the language's sandbox (source on stdin, segment.py's JSON
   * on stdout); without one, or when it fails, the lexical pass over `comments` segments.
   */
  segmenter?: { argv: readonly string[] };
  /** File extensions by which the CLI's `verdict run <file>` recognises the language. */
  cliExtensions: readonly string[];
  /**
   * Words that open a top-level definition of a name, for the languages whose HumanEval prompts
   * are continued (cli/rows.ts): a completion that defines the entry point is not one.
   */
  definers?: readonly string[];
  dropIn: DropInNames;
}

export const baseEnv = {
  PATH: '/usr/local/bin:/usr/bin:/bin',
  HOME: '/tmp',
  TMPDIR: '/tmp',
  LANG: 'C.UTF-8',
  LC_ALL: 'C.UTF-8',
} as const;

export const MiB = 1024 * 1024;
