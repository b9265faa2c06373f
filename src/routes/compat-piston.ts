/**
 * A Piston-compatible front (engineer-man/piston, API v2): `GET /api/v2/runtimes` and
 * `POST /api/v2/execute`, so tools written for Piston can run their programs here.
 *
 * What differs from Piston (also in the route descriptions, hence in /docs):
 * - `output` is stdout followed by stderr: Verdict captures the two streams apart, so
 *   their interleaving is not known. A compile stage's diagnostics come as one stream
 *   (Verdict captures the compiler's stdout and stderr together): they are in `stderr`
 *   and `output`, and `stdout` is empty.
 * - The first file is the entry, as in Piston, but it is written under the language's
 *   own entry name (main.py, main.cpp, Main.java or the public class's name, …), so its
 *   given `name` is not used; further files keep theirs.
 * - Limits are Verdict's: an absent, zero or negative (-1) timeout or memory limit is
 *   Verdict's default (not "no limit"), and a value above Verdict's maximum is lowered
 *   to it. `run_timeout` is the wall-clock limit and, without `run_cpu_time`, the CPU
 *   limit too; `compile_timeout` (or `compile_cpu_time`) is the compile CPU limit.
 * - A Python or JavaScript syntax error is reported from Verdict's syntax check: the run
 *   stage has code 1 and the checker's one-line message in stderr, not the interpreter's.
 * - Every request runs the program (no result cache). The output limit is Verdict's maximum
 *   (VERDICT_MAX_OUTPUT_BYTES), not Piston's configured one, and stdout and stderr come back
 *   whole up to it: open-r1 compares stdout itself.
 * - A failure of Verdict or Docker is a 503, a full queue a 429 with Retry-After (never
 *   status "XX"); error bodies carry Verdict's `code` and `retryable` besides `message`.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { Limits } from '../domain/vocabulary.js';
import { BadRequestError } from '../errors.js';
import { checkFileSet, normalizeSubmission } from '../judge/normalize.js';
import type { Submission } from '../judge/submission.js';
import { findLanguage, languages, type LanguageDefinition } from '../languages/registry.js';
import { errorSchema, relativePath, type CompileResult, type TestResult } from '../schemas.js';
import { clientGone, DEADLINE_HEADER, deadlineFromHeader } from './client.js';

const MAX_TEXT = 64 * 1024 * 1024;

/** Piston's language names for Verdict's languages, and the aliases Piston clients use. */
const PISTON_NAMES: Record<string, { name: string; aliases: readonly string[] }> = {
  python: { name: 'python', aliases: ['py', 'py3', 'python3'] },
  cpp: { name: 'c++', aliases: ['cpp', 'g++'] },
  c: { name: 'c', aliases: ['gcc'] },
  java: { name: 'java', aliases: [] },
  javascript: { name: 'javascript', aliases: ['js', 'node', 'node-js', 'node-javascript'] },
  typescript: { name: 'typescript', aliases: ['ts', 'node-ts', 'tsc'] },
  go: { name: 'go', aliases: ['golang'] },
  rust: { name: 'rust', aliases: ['rs'] },
};

function pistonName(lang: LanguageDefinition): string {
  return PISTON_NAMES[lang.id]?.name ?? lang.id;
}

function pistonAliases(lang: LanguageDefinition): string[] {
  const name = pistonName(lang);
  return [...new Set([...(PISTON_NAMES[lang.id]?.aliases ?? []), lang.id, ...lang.aliases])].filter((a) => a !== name);
}

const byPistonName = new Map<string, LanguageDefinition>();
for (const lang of languages) for (const n of [pistonName(lang), ...pistonAliases(lang)]) byPistonName.set(n, lang);

export function findPistonLanguage(name: string): LanguageDefinition | undefined {
  return byPistonName.get(name.toLowerCase()) ?? findLanguage(name);
}

/** "Python 3.11.2" → "3.11.2"; "g++ (Debian 12.2.0-14) 12.2.0" → "12.2.0"; "go version go1.19.8 …" → "1.19.8". */
export function semverOf(toolchain: string): string | null {
  const m = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(toolchain);
  return m ? `${m[1]}.${m[2]}.${m[3] ?? '0'}` : null;
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

const fileSchema = z.object({
  name: relativePath.optional().describe('The file name; the first file is the entry and is written under the language\'s own entry name'),
  content: z.string().max(MAX_TEXT),
  encoding: z.enum(['utf8', 'base64', 'hex']).optional().describe('Default utf8'),
});

const limitField = (what: string) => z.number().int().optional().describe(what);

export const pistonExecuteRequestSchema = z.object({
  language: z.string().min(1).max(64).describe('A language name or alias from GET /api/v2/runtimes'),
  version: z.string().max(64).describe('A SemVer selector: "*", or the version (or a prefix of it) listed by GET /api/v2/runtimes'),
  files: z.array(fileSchema).min(1).describe('The first file is the entry; the others are written beside it'),
  stdin: z.string().max(MAX_TEXT).optional(),
  args: z.array(z.string().max(4096)).max(256).optional(),
  compile_timeout: limitField('Milliseconds; the compile CPU limit (its wall limit is twice that). Absent or ≤ 0: Verdict\'s default; above the maximum: the maximum'),
  run_timeout: limitField('Milliseconds of wall-clock time for the run; also its CPU limit unless run_cpu_time is given. Absent or ≤ 0: Verdict\'s default; above the maximum: the maximum'),
  compile_cpu_time: limitField('Milliseconds of compile CPU time; with compile_timeout, the smaller wins'),
  run_cpu_time: limitField('Milliseconds of run CPU time'),
  compile_memory_limit: limitField('Bytes; -1 (or absent): Verdict\'s default; above the maximum: the maximum'),
  run_memory_limit: limitField('Bytes; -1 (or absent): Verdict\'s default; above the maximum: the maximum'),
});
export type PistonExecuteRequest = z.infer<typeof pistonExecuteRequestSchema>;

const stageSchema = z.object({
  stdout: z.string(),
  stderr: z.string(),
  output: z.string().describe('stdout followed by stderr (their interleaving is not recorded)'),
  code: z.number().int().nullable().describe('Exit code, or null when a signal ended the process'),
  signal: z.string().nullable().describe('e.g. SIGKILL, or null'),
  message: z.string().nullable().describe('Why the stage failed, for people'),
  status: z.enum(['RE', 'SG', 'TO', 'OL', 'EL']).nullable().describe('RE exited non-zero, SG died on a signal (or exceeded its memory), TO time limit, OL/EL stdout/stderr over the output limit; null when it succeeded'),
  cpu_time: z.number().describe('Milliseconds'),
  wall_time: z.number().describe('Milliseconds'),
  memory: z.number().describe('Peak bytes'),
});
type Stage = z.infer<typeof stageSchema>;

export const pistonExecuteResponseSchema = z.object({
  language: z.string(),
  version: z.string(),
  compile: stageSchema.optional().describe('Only for languages with a compile stage (C, C++, Java, TypeScript, Go, Rust)'),
  run: stageSchema.optional().describe('Absent when compilation failed, as in Piston'),
});

export const pistonRuntimesResponseSchema = z.array(
  z.object({ language: z.string(), version: z.string(), aliases: z.array(z.string()), runtime: z.string().optional() }),
);

const round = (n: number) => Math.round(n);

function failedStatus(signal: string | null): 'SG' | 'RE' {
  return signal ? 'SG' : 'RE';
}

function runStage(t: TestResult): Stage {
  let status: Stage['status'] = null;
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

function compileStage(c: CompileResult, outputBytes: number): Stage {
  let status: Stage['status'] = null;
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
  const code = signal ? null : c.status === 'ok' || c.status === 'skipped' ? (c.exitCode ?? 0) : c.exitCode || 1;
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

function decode(content: string, encoding: 'utf8' | 'base64' | 'hex' | undefined): Buffer {
  return Buffer.from(content, encoding ?? 'utf8');
}

/** Piston request → Verdict submission: one run, no tests to compare, the first file as the entry. */
export function pistonSubmission(req: PistonExecuteRequest, lang: LanguageDefinition, settings: Pick<Config, 'defaultLimits' | 'maxLimits' | 'maxTests' | 'maxFiles'>): Submission {
  const [first, ...rest] = req.files;
  const entryContent = decode(first!.content, first!.encoding);
  const base = normalizeSubmission(
    {
      language: lang.id,
      source: entryContent.toString('utf8'),
      tests: [{ stdin: req.stdin ?? '', args: req.args ?? [] }],
      limits: pistonLimits(req, settings.maxLimits),
    },
    settings,
  );
  const files = [
    { path: base.entry, content: entryContent },
    ...rest.map((f, i) => ({ path: f.name ?? `file${i + 1}`, content: decode(f.content, f.encoding) })),
  ];
  checkFileSet(
    files.map((f) => f.path),
    settings.maxFiles,
    (i, path) => `files.${i}.name: ${JSON.stringify(path)} appears twice${i > 0 && path === base.entry ? ` (the first file is written as ${base.entry}, the ${lang.id} entry)` : ''}`,
  );
  return { ...base, files, ownCode: { files: files.map((f) => f.path), composed: undefined }, returnedOutputBytes: base.limits.outputBytes };
}

/** Whether Piston would show a compile stage: a real compiler, not Python's or JavaScript's on-demand syntax check. */
function hasCompileStage(lang: LanguageDefinition): boolean {
  return lang.compile !== undefined && lang.compile.onlyAfterFailure === undefined;
}

export const pistonRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/v2/runtimes',
    {
      schema: {
        tags: ['meta'],
        summary: 'Piston-compatible: the installed runtimes',
        description:
          'As Piston\'s GET /api/v2/runtimes: each language whose sandbox image is built, with its Piston name, the toolchain\'s version as SemVer, and the aliases accepted by POST /api/v2/execute (Piston\'s and Verdict\'s).',
        response: { 200: pistonRuntimesResponseSchema },
      },
    },
    async () =>
      app.catalog
        .describe()
        .flatMap((d) => {
          const lang = findLanguage(d.id)!;
          const version = d.version === null ? null : semverOf(d.version);
          return version === null ? [] : [{ language: pistonName(lang), version, aliases: pistonAliases(lang) }];
        }),
  );

  app.post(
    '/api/v2/execute',
    {
      schema: {
        tags: ['judge'],
        summary: 'Piston-compatible: run one program once',
        description:
          `As Piston\'s POST /api/v2/execute: compiles (for compiled languages) and runs the first file with stdin and args, and answers the compile and run stages. Differences: "output" is stdout followed by stderr (interleaving is not recorded); compiler diagnostics are in "stderr"; the first file is written under the language\'s entry name; absent or negative limits are Verdict\'s defaults and limits above Verdict\'s maximum are lowered to it; 429 when the queue is full and 503 when Verdict or Docker failed (retryable, with Retry-After); with the header ${DEADLINE_HEADER}: <ms>, 504 with Retry-After at once when the expected wait plus the run\'s limits cannot fit in it.`,
        body: pistonExecuteRequestSchema,
        response: { 200: pistonExecuteResponseSchema, 400: errorSchema, 413: errorSchema, 429: errorSchema, 503: errorSchema, 504: errorSchema },
      },
    },
    async (request, reply) => {
      const req = request.body;
      const lang = findPistonLanguage(req.language);
      if (!lang) throw new BadRequestError('VERDICT_UNKNOWN_LANGUAGE', `${req.language}-${req.version} runtime is unknown`);
      const toolchain = app.catalog.describe().find((d) => d.id === lang.id)?.version ?? null;
      const version = toolchain === null ? null : semverOf(toolchain);
      // Without a built image the version is unknown; the judge answers 503 for it below.
      if (version !== null && !versionMatches(req.version, version)) {
        throw new BadRequestError('VERDICT_UNKNOWN_LANGUAGE', `${req.language}-${req.version} runtime is unknown`);
      }
      const submission = pistonSubmission(req, lang, app.config);
      const result = await app.judge.submit(submission, { priority: 'online', cache: false, signal: clientGone(reply), answerWithinMs: deadlineFromHeader(request) });
      const compile = hasCompileStage(lang) && result.compile ? compileStage(result.compile, submission.limits.outputBytes) : undefined;
      const compiled = compile === undefined || (compile.code === 0 && compile.signal === null);
      const test = result.tests[0];
      let run = compiled && test && test.verdict !== 'skipped' ? runStage(test) : undefined;
      // Python and JavaScript have no compile stage in Piston: their syntax error is the run's failure.
      if (!hasCompileStage(lang) && run === undefined && result.compile) run = compileStage(result.compile, submission.limits.outputBytes);
      return {
        language: pistonName(lang),
        version: version ?? semverOf(result.manifest.languageVersion) ?? result.manifest.languageVersion,
        ...(compile ? { compile } : {}),
        ...(run ? { run } : {}),
      };
    },
  );
};
