/** Request → Submission: everything the schema cannot know (config limits, languages). Pure. */
import type { Config } from '../config.js';
import { resolveLimits } from '../domain/limits.js';
import { BadRequestError } from '../errors.js';
import { randomUUID } from 'node:crypto';
import { harnessFor, harnessLanguages, testFileHarness } from '../languages/harness.js';
import { hiddenMarker, type HarnessComposer, type HiddenMarker } from '../languages/compose.js';
import { completeTestCode } from '../languages/test-code.js';
import { findLanguage, languageIds, type LanguageDefinition } from '../languages/registry.js';
import type { SubmissionRequest, TestCaseRequest } from '../domain/requests.js';
import { defaultChecker, type Submission, type TestCase } from './submission.js';

type Settings = Pick<Config, 'defaultLimits' | 'maxLimits' | 'maxTests' | 'maxFiles'>;

/** The language named, or a 400 naming the field and the valid ids. */
export function requireLanguage(name: string, field = 'language'): LanguageDefinition {
  const language = findLanguage(name);
  if (!language) {
    throw new BadRequestError('VERDICT_UNKNOWN_LANGUAGE', `${field}: unknown language ${JSON.stringify(name)}; valid ids: ${languageIds.join(', ')}`, {
      languages: languageIds,
    });
  }
  return language;
}

/**
 * The files of one program, as the sandbox will write them: at most `maxFiles`, no path twice,
 * no path both a file and a directory. `duplicate` words the error for the i-th path repeating
 * an earlier one, since each API names that field its own way. Returns the paths as a set.
 */
export function checkFileSet(paths: readonly string[], maxFiles: number, duplicate: (index: number, path: string) => string): Set<string> {
  if (paths.length > maxFiles) {
    throw new BadRequestError('VERDICT_INVALID_REQUEST', `files: ${paths.length} files given, at most ${maxFiles} are accepted`);
  }
  const seen = new Set<string>();
  for (const [i, path] of paths.entries()) {
    if (seen.has(path)) throw new BadRequestError('VERDICT_INVALID_REQUEST', duplicate(i, path));
    seen.add(path);
  }
  for (const path of seen) {
    const parts = path.split('/');
    for (let n = 1; n < parts.length; n++) {
      const dir = parts.slice(0, n).join('/');
      if (seen.has(dir)) throw new BadRequestError('VERDICT_INVALID_REQUEST', `files: ${JSON.stringify(dir)} is both a file and a directory`);
    }
  }
  return seen;
}

/**
 * A request's tests as the judge runs them, converted once: every program of a batch, reward
 * or label request that inherits them holds this one array (and the cache hashes it once), so
 * a 64 MiB problem shared by 10,000 items is held once, not 10,000 times.
 */
export interface TestSet {
  readonly tests: readonly TestCase[];
  /** Index of the first function-call test, which needs a language with `call` and an entry point. */
  readonly firstCall: number | undefined;
}

/** Everything about the tests that does not depend on the program they test; errors name `tests.<i>`. */
export function normalizeTests(requested: readonly TestCaseRequest[] | undefined, settings: Pick<Settings, 'maxTests'>): TestSet {
  const given = requested ?? [];
  if (given.length > settings.maxTests) {
    throw new BadRequestError('VERDICT_INVALID_REQUEST', `tests: ${given.length} tests given, at most ${settings.maxTests} are accepted`);
  }
  // No tests: one run of the program, accepted when it exits 0 (HumanEval-style programs).
  const runs: readonly TestCaseRequest[] = given.length > 0 ? given : [{}];
  let firstCall: number | undefined;
  const tests = runs.map((t, i): TestCase => {
    if (t.call === undefined && t.expected !== undefined) {
      throw new BadRequestError('VERDICT_INVALID_REQUEST', `tests.${i}.expected: only for a "call" test; compare stdout with "expectedStdout"`);
    }
    if (t.call !== undefined) {
      firstCall ??= i;
      if (t.stdin !== undefined || t.expectedStdout !== undefined || t.args !== undefined) {
        throw new BadRequestError('VERDICT_INVALID_REQUEST', `tests.${i}.call: a function-call test takes no stdin, expectedStdout or args`);
      }
    }
    return {
      id: t.id ?? String(i + 1),
      stdin: Buffer.from(t.stdin ?? '', 'utf8'),
      expectedStdout: t.expectedStdout === undefined ? undefined : Buffer.from(t.expectedStdout, 'utf8'),
      args: t.args ?? [],
      ...(t.call ? { call: { args: t.call.args, kwargs: t.call.kwargs ?? {}, expected: t.expected, hasExpected: 'expected' in t } } : {}),
    };
  });
  const ids = new Set<string>();
  for (const [i, t] of tests.entries()) {
    if (ids.has(t.id)) throw new BadRequestError('VERDICT_INVALID_REQUEST', `tests.${i}.id: ${JSON.stringify(t.id)} appears twice`);
    ids.add(t.id);
  }
  return { tests, firstCall };
}

/** What function-call tests ask of the program: a language that can call, and the function to call. */
function checkCalls(set: TestSet, language: LanguageDefinition, entryPoint: string | undefined): void {
  const i = set.firstCall;
  if (i === undefined) return;
  if (!language.call) {
    throw new BadRequestError('VERDICT_INVALID_REQUEST', `tests.${i}.call: function-call tests are not available for ${language.id}; available for: ${languageIds.filter((id) => findLanguage(id)?.call).join(', ')}`);
  }
  if (entryPoint === undefined) throw new BadRequestError('VERDICT_INVALID_REQUEST', `entryPoint: needed by the function-call test tests.${i}`);
}

/**
 * What a raw-execution drop-in (src/compat) asks beyond a native request: its peers send files
 * as bytes, and its clients compare the output themselves, so the answer carries all of it up to
 * the output limit (Submission.returnedOutputBytes).
 */
export interface DropInProgram {
  /** The program's bytes when `source` is only their UTF-8 reading (Piston's base64 or hex entry); `source` still names the entry. */
  sourceBytes?: Buffer;
  /**
   * Files written beside the program, after its own and any harness (which never reads them).
   * Given the entry and the paths taken, it refuses a clash in its peer's own error shape.
   */
  beside(program: { entry: string; paths: readonly string[] }): ReadonlyArray<{ path: string; content: Buffer }>;
  /** Whether the files beside are the candidate's own code: Piston's are the program, SandboxFusion's are its data. */
  besideIsOwnCode: boolean;
  /** Whether a Go test file gets Verdict's TestMain harness: SandboxFusion's go_test is judged with it, Piston runs its files as given. */
  testFileHarness: boolean;
}

/**
 * `shared`: the tests, already normalized, when the request's own `tests` are inherited from a problem.
 * `dropIn`: what a drop-in API adds to its request (see DropInProgram).
 */
export function normalizeSubmission(req: SubmissionRequest, settings: Settings, shared?: TestSet, dropIn?: DropInProgram): Submission {
  const language = requireLanguage(req.language);
  let marker: string | undefined;
  let composedOwn: { file: string; lines: number } | undefined;
  let compileFlags: string[] = [];
  let compileOnly: string[] = [];
  let proof: HiddenMarker | undefined;
  let files = req.files ?? [{ path: language.entryFor?.(req.source ?? '') ?? language.sourceFile, content: req.source ?? '' }];
  const testSet = shared ?? normalizeTests(req.tests, settings);
  let trustedTestCode: string | undefined;
  if (req.testCode !== undefined) {
    const compose = harnessFor(language.id);
    if (!compose && !language.trustedTestCode) {
      throw new BadRequestError('VERDICT_INVALID_REQUEST', `testCode: not supported for ${language.id}; supported: ${harnessLanguages.join(', ')}`);
    }
    const completed = completeTestCode(language.id, req.testCode, req.entryPoint, testSet.firstCall !== undefined);
    if ('error' in completed) throw new BadRequestError('VERDICT_INVALID_REQUEST', completed.error);
    if (language.trustedTestCode) {
      // Run beside the program, never composed into it: the program file is the candidate's source alone.
      trustedTestCode = completed.testCode;
    } else {
      marker = `verdict-harness-done-${randomUUID()}`;
      proof = hiddenMarker(marker);
      ({ files, compileFlags, compileOnly, composedOwn } = composeHarness(compose!, req.source ?? '', completed.testCode, proof));
    }
  }
  if (req.coverage && !language.coverage) {
    throw new BadRequestError('VERDICT_INVALID_REQUEST', `coverage: not available for ${language.id}; available for: ${languageIds.filter((id) => findLanguage(id)?.coverage).join(', ')}`);
  }
  const paths = checkFileSet(
    files.map((f) => f.path),
    settings.maxFiles,
    (i, path) => `files.${i}.path: ${JSON.stringify(path)} appears twice`,
  );
  const entries = req.files ? (language.entryFiles ?? [language.sourceFile]) : [files[0]!.path];
  const entry = entries.find((e) => paths.has(e));
  if (entry === undefined) {
    throw new BadRequestError('VERDICT_INVALID_REQUEST', `files: a ${language.id} program must contain ${entries.join(' or ')}, its entry point`);
  }

  checkCalls(testSet, language, req.entryPoint);

  // The candidate's own code is what it sent, not the harness's file beside it.
  const ownFiles = files.map((f) => f.path);
  if (marker === undefined && (dropIn?.testFileHarness ?? true)) {
    const testProof = hiddenMarker(`verdict-harness-done-${randomUUID()}`);
    const added = testFileHarness(language.id, entry, files, testProof);
    if (added) {
      marker = testProof.marker;
      proof = testProof;
      files = [...files, added];
      compileOnly = [added.path];
    }
  }

  const checker = defaultChecker();
  if (typeof req.checker === 'string') checker.mode = req.checker;
  else if (req.checker) {
    checker.mode = req.checker.mode;
    checker.absTolerance = req.checker.absTolerance ?? checker.absTolerance;
    checker.relTolerance = req.checker.relTolerance ?? checker.relTolerance;
  }

  const sourceBytes = req.files === undefined && req.testCode === undefined ? dropIn?.sourceBytes : undefined;
  const program = files.map((f) => ({ path: f.path, content: sourceBytes !== undefined && f.path === entry ? sourceBytes : Buffer.from(f.content, 'utf8') }));
  const limits = resolveLimits(req.limits, settings.defaultLimits, settings.maxLimits);
  const beside = dropIn?.beside({ entry, paths: program.map((f) => f.path) }) ?? [];
  if (dropIn?.besideIsOwnCode) ownFiles.push(...beside.map((f) => f.path));

  return {
    language,
    entry,
    marker,
    ...(proof !== undefined ? { hiddenMarker: { list: proof.list, fileTag: proof.fileTag } } : {}),
    ...(trustedTestCode !== undefined ? { trustedTestCode } : {}),
    compileFlags,
    compileOnly,
    files: [...program, ...beside],
    tests: testSet.tests,
    checker,
    limits,
    stopOnFirstFailure: req.stopOnFirstFailure ?? false,
    mode: req.mode ?? 'run',
    // With test code composed in, the candidate's own code is the one file holding its source.
    ownCode: { files: composedOwn ? [composedOwn.file] : ownFiles, composed: composedOwn },
    coverage: req.coverage ?? false,
    entryPoint: req.entryPoint,
    ...(dropIn ? { returnedOutputBytes: limits.outputBytes } : {}),
  };
}

/** The candidate composed with its test code; every composer puts the candidate's source first in its file. */
function composeHarness(
  compose: HarnessComposer,
  source: string,
  testCode: string,
  proof: HiddenMarker,
): { files: Array<{ path: string; content: string }>; compileFlags: string[]; compileOnly: string[]; composedOwn: { file: string; lines: number } | undefined } {
  const composed = compose({ source, testCode, proof });
  const holder = composed.files.find((f) => f.content.startsWith(source));
  return {
    files: [...composed.files],
    compileFlags: [...(composed.compileFlags ?? [])],
    compileOnly: [...(composed.compileOnly ?? [])],
    composedOwn: holder ? { file: holder.path, lines: lineCount(source) } : undefined,
  };
}

/** Lines of a source (a last line without its newline counts), without an array of them: sources are up to the body limit. */
function lineCount(source: string): number {
  let lines = 0;
  for (let at = source.indexOf('\n'); at >= 0; at = source.indexOf('\n', at + 1)) lines++;
  return source.length > 0 && !source.endsWith('\n') ? lines + 1 : lines;
}
