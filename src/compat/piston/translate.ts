/**
 * Piston's request → Verdict's submission, and Verdict's result → Piston's answer. Pure: the
 * route (routes.ts) judges in between. What differs from Piston is listed in routes.ts.
 */
import semver from 'semver';
import type { Config } from '../../config.js';
import type { Limits } from '../../domain/vocabulary.js';
import type { Submission } from '../../judge/submission.js';
import { checkFileSet, normalizeSubmission } from '../../judge/normalize.js';
import { findLanguage, type LanguageDefinition } from '../../languages/registry.js';
import type { CompileResult, SubmissionResult, TestResult } from '../../schemas.js';
import { pistonAliases, pistonName } from './names.js';
import type { PistonExecuteRequest, PistonExecuteResponse, PistonFile, PistonRuntimes, PistonStage } from './schema.js';

/** "Python 3.11.2" → "3.11.2"; "g++ (Debian 12.2.0-14) 12.2.0" → "12.2.0"; "go version go1.19.8 …" → "1.19.8". */
export function semverOf(toolchain: string): string | null {
  return semver.coerce(toolchain)?.version ?? null;
}

/**
 * Piston takes a SemVer selector. Accepted here: "*" (or "x"), an exact version, or a
 * prefix of one ("3", "3.11", "3.x", "3.11.*"), optionally led by "v", "=", "^" or "~".
 * "^" and "~" are read as prefixes of the major (^) or major.minor (~) version.
 */
export function versionMatches(selector: string, version: string): boolean {
  let s = selector.trim();
  if (s === '' || s === '*' || s.toLowerCase() === 'x' || s === 'latest') return true;
  let keep = 3;
  if (s.startsWith('^')) keep = 1;
  else if (s.startsWith('~')) keep = 2;
  s = s.replace(/^[=^~v]+/, '');
  const want = s.split('.');
  const have = version.split('.');
  if (want.length > 3 || want.some((p) => !/^(\d+|[xX*])$/.test(p))) return false;
  return want.every((p, i) => i >= keep || /^[xX*]$/.test(p) || Number(p) === Number(have[i]));
}

/** GET /api/v2/runtimes from the catalog: each language whose image reports a version. */
export function pistonRuntimes(described: ReadonlyArray<{ id: string; version: string | null }>): PistonRuntimes {
  return described.flatMap((d) => {
    const lang = findLanguage(d.id)!;
    const version = d.version === null ? null : semverOf(d.version);
    return version === null ? [] : [{ language: pistonName(lang), version, aliases: pistonAliases(lang) }];
  });
}

/** A positive request value, lowered to the maximum; anything else (absent, 0, -1) is the default. */
function clamp(value: number | undefined, max: number): number | undefined {
  return value !== undefined && value > 0 ? Math.min(value, max) : undefined;
}

export function pistonLimits(req: PistonExecuteRequest, max: Limits): Partial<Limits> {
  const compileTimes = [req.compile_timeout, req.compile_cpu_time].map((v) => clamp(v, max.compileTimeMs)).filter((v): v is number => v !== undefined);
  const wall = clamp(req.run_timeout, max.wallTimeMs);
  return {
    compileTimeMs: compileTimes.length > 0 ? Math.min(...compileTimes) : undefined,
    compileMemoryBytes: clamp(req.compile_memory_limit, max.compileMemoryBytes),
    timeMs: clamp(req.run_cpu_time ?? req.run_timeout, max.timeMs),
    wallTimeMs: wall,
    memoryBytes: clamp(req.run_memory_limit, max.memoryBytes),
    // Piston's clients set its output cap high (open-r1: 1e9) and compare stdout themselves: the most this server allows.
    outputBytes: max.outputBytes,
  };
}

function decode(file: PistonFile): Buffer {
  return Buffer.from(file.content, file.encoding ?? 'utf8');
}

/**
 * Piston request → Verdict submission: one run, no tests to compare. The first file is the entry,
 * written under the language's own entry name; the others are written beside it as they are, all
 * of them the candidate's code, with no harness of Verdict's.
 */
export function pistonSubmission(req: PistonExecuteRequest, lang: LanguageDefinition, settings: Pick<Config, 'defaultLimits' | 'maxLimits' | 'maxTests' | 'maxFiles'>): Submission {
  const [first, ...rest] = req.files;
  const entryContent = decode(first!);
  return normalizeSubmission(
    {
      language: lang.id,
      source: entryContent.toString('utf8'),
      tests: [{ stdin: req.stdin ?? '', args: req.args ?? [] }],
      limits: pistonLimits(req, settings.maxLimits),
    },
    settings,
    undefined,
    {
      sourceBytes: entryContent,
      beside: ({ entry, paths }) => {
        const files = rest.map((f, i) => ({ path: f.name ?? `file${i + 1}`, content: decode(f) }));
        checkFileSet(
          [...paths, ...files.map((f) => f.path)],
          settings.maxFiles,
          (i, path) => `files.${i}.name: ${JSON.stringify(path)} appears twice${i > 0 && path === entry ? ` (the first file is written as ${entry}, the ${lang.id} entry)` : ''}`,
        );
        return files;
      },
      besideIsOwnCode: true,
      testFileHarness: false,
    },
  );
}

/** Whether Piston would show a compile stage: a real compiler, not Python's or JavaScript's on-demand syntax check. */
function hasCompileStage(lang: LanguageDefinition): boolean {
  return lang.compile !== undefined && lang.compile.onlyAfterFailure === undefined;
}

const round = (n: number) => Math.round(n);

function failedStatus(signal: string | null): 'SG' | 'RE' {
  return signal ? 'SG' : 'RE';
}

function runStage(t: TestResult): PistonStage {
  let status: PistonStage['status'] = null;
  let message: string | null = null;
  switch (t.verdict) {
    case 'time_limit_exceeded':
      status = 'TO';
      message = 'Time limit exceeded';
      break;
    case 'output_limit_exceeded':
      status = t.stderrTruncated && !t.stdoutTruncated ? 'EL' : 'OL';
      message = status === 'EL' ? 'stderr length exceeded' : 'stdout length exceeded';
      break;
    case 'memory_limit_exceeded':
      status = failedStatus(t.signal);
      message = 'Memory limit exceeded';
      break;
    default:
      if (t.signal) {
        status = 'SG';
        message = `Caught fatal signal ${t.signal}`;
      } else if (t.exitCode !== 0) {
        status = 'RE';
        message = `Exited with error status ${t.exitCode}`;
      }
  }
  // A timeout is always a kill: Verdict's supervisor (like Piston's) ends the program with SIGKILL.
  const signal = status === 'TO' ? (t.signal ?? 'SIGKILL') : t.signal;
  return {
    stdout: t.stdout,
    stderr: t.stderr,
    output: t.stdout + t.stderr,
    code: signal ? null : t.exitCode,
    signal,
    message,
    status,
    cpu_time: round(t.cpuTimeMs),
    wall_time: round(t.wallTimeMs),
    memory: t.peakMemoryBytes,
  };
}

function compileStage(c: CompileResult, outputBytes: number): PistonStage {
  let status: PistonStage['status'] = null;
  let message: string | null = null;
  if (c.status === 'time_limit_exceeded') {
    status = 'TO';
    message = 'Time limit exceeded';
  } else if (c.status === 'memory_limit_exceeded') {
    status = failedStatus(c.signal);
    message = 'Memory limit exceeded';
  } else if (c.status === 'failed') {
    status = failedStatus(c.signal);
    message = c.signal ? `Caught fatal signal ${c.signal}` : `Exited with error status ${c.exitCode}`;
  }
  // Piston never cuts a compiler's output; Verdict keeps at most the output limit of it, and says so.
  if (c.outputTruncated) message = [message, `compiler output cut at ${outputBytes} bytes`].filter((m) => m !== null).join('; ');
  const signal = status === 'TO' ? (c.signal ?? 'SIGKILL') : c.signal;
  // A failed compile always has a non-zero code or a signal, as Piston's clients expect.
  const code = signal ? null : c.status === 'ok' ? (c.exitCode ?? 0) : c.exitCode || 1;
  return {
    stdout: '',
    stderr: c.output,
    output: c.output,
    code,
    signal,
    message,
    status,
    cpu_time: round(c.cpuTimeMs),
    wall_time: round(c.wallTimeMs),
    memory: c.peakMemoryBytes,
  };
}

/**
 * Verdict's result → Piston's answer. `version`: the SemVer of the language's image, null when
 * none is built (then the result's own toolchain names it). `outputBytes`: the output limit the
 * submission ran with, which a cut compiler output names.
 */
export function toPistonResponse(result: SubmissionResult, lang: LanguageDefinition, version: string | null, outputBytes: number): PistonExecuteResponse {
  const compile = hasCompileStage(lang) && result.compile ? compileStage(result.compile, outputBytes) : undefined;
  const compiled = compile === undefined || (compile.code === 0 && compile.signal === null);
  const test = result.tests[0];
  let run = compiled && test && test.verdict !== 'skipped' ? runStage(test) : undefined;
  // Python and JavaScript have no compile stage in Piston: their syntax error is the run's failure.
  if (!hasCompileStage(lang) && run === undefined && result.compile) run = compileStage(result.compile, outputBytes);
  return {
    language: pistonName(lang),
    version: version ?? semverOf(result.manifest.languageVersion) ?? result.manifest.languageVersion,
    ...(compile ? { compile } : {}),
    ...(run ? { run } : {}),
  };
}
