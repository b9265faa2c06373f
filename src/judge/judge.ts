/**
 * Judging one submission: one container, compile once, every test in turn
 * through the supervisor, outputs compared here, outside the sandbox.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { constants } from 'node:os';
import PQueue from 'p-queue';
import type { Config } from '../config.js';
import { check, type CheckerOptions } from '../domain/checkers.js';
import { classifyCompile, classifyRun, signalName } from '../domain/classify.js';
import type { CheckerMode, Limits, Verdict } from '../domain/vocabulary.js';
import { ImageMissingError, QueueFullError, SandboxFailedError, ShuttingDownError } from '../errors.js';
import type { VersionProbe } from '../languages/catalog.js';
import type { BuildContext, LanguageDefinition } from '../languages/registry.js';
import type { ContainerEngine } from '../sandbox/docker-engine.js';
import { LABEL_INSTANCE, LABEL_JOB, LABEL_LANGUAGE } from '../sandbox/docker-engine.js';
import { PROTOCOL_VERSION, type RunRecord, type RunRequest } from '../sandbox/protocol.js';
import { SandboxOutOfMemory, SandboxSession } from '../sandbox/session.js';
import type { CompileResult, SubmissionResult, TestResult } from '../schemas.js';

const MiB = 1024 * 1024;

export interface SourceFile {
  path: string;
  content: Buffer;
}

export interface TestCase {
  id: string;
  stdin: Buffer;
  expectedStdout: Buffer | undefined;
  args: readonly string[];
}

/** A validated request, limits resolved: what the judge runs. */
export interface Submission {
  language: LanguageDefinition;
  /** The file the program starts from, relative to the program directory. */
  entry: string;
  /** With test code: the line its trailer prints once the tests finished (see languages/harness.ts). */
  marker: string | undefined;
  /** Compiler arguments a harness adds. */
  compileFlags: readonly string[];
  files: readonly SourceFile[];
  tests: readonly TestCase[];
  checker: CheckerOptions;
  limits: Limits;
  stopOnFirstFailure: boolean;
  mode: 'run' | 'compile';
}

export interface ImageRef {
  tag: string;
  id: string;
  version: string;
}

export interface JudgeObserver {
  stage(language: string, stage: 'queue' | 'start' | 'compile' | 'test' | 'total', seconds: number): void;
  verdict(language: string, verdict: Verdict): void;
  containers(delta: number): void;
}

export interface JudgeStats {
  running: number;
  queued: number;
  concurrency: number;
  queueLimit: number;
}

type SandboxSettings = Pick<Config, 'instanceId' | 'scratchBytes' | 'sandboxCpus' | 'responseOutputBytes'>;

export class Judge {
  private readonly queue: PQueue;
  private closing = false;

  constructor(
    private readonly engine: ContainerEngine,
    private readonly images: { image(language: LanguageDefinition): ImageRef | undefined; refresh(probe: VersionProbe): Promise<void> },
    private readonly settings: SandboxSettings & { concurrency: number; queueLimit: number },
    private readonly observer: JudgeObserver,
  ) {
    this.queue = new PQueue({ concurrency: settings.concurrency });
  }

  stats(): JudgeStats {
    return { running: this.queue.pending, queued: this.queue.size, concurrency: this.settings.concurrency, queueLimit: this.settings.queueLimit };
  }

  /** Queue a submission; refuses at once when the queue is full or the service is draining. */
  async submit(submission: Submission): Promise<SubmissionResult> {
    if (this.closing) throw new ShuttingDownError('the service is shutting down');
    if (this.queue.size >= this.settings.queueLimit) {
      throw new QueueFullError(`the queue holds ${this.queue.size} submissions, its limit`);
    }
    const enqueued = performance.now();
    const result = await this.queue.add(
      () => {
        this.observer.stage(submission.language.id, 'queue', (performance.now() - enqueued) / 1000);
        return this.judge(submission);
      },
      { throwOnTimeout: true },
    );
    return result;
  }

  /** Stop taking work and wait for what is queued or running to finish. */
  async drain(): Promise<void> {
    this.closing = true;
    await this.queue.onIdle();
  }

  private async judge(sub: Submission): Promise<SubmissionResult> {
    const started = performance.now();
    const lang = sub.language;
    const image = await this.imageFor(lang);

    const compileMemory = lang.compile?.memory === 'compile' ? Math.max(sub.limits.compileMemoryBytes, sub.limits.memoryBytes) : sub.limits.memoryBytes;
    const runMemory = this.containerMemory(sub.limits.memoryBytes, sub.limits.outputBytes);
    const session = await this.open(lang, image, this.containerMemory(compileMemory, sub.limits.outputBytes), sub.limits.memoryBytes, sub.limits.processes);
    try {
      for (const file of sub.files) await session.writeFile(file.path, file.content);

      const ctx: BuildContext = {
        entry: sub.entry,
        entrySource: sub.files.find((f) => f.path === sub.entry)?.content.toString('utf8') ?? '',
        sources: sub.files.map((f) => f.path).filter((p) => lang.sourcePattern.test(p)),
        memoryBytes: sub.limits.memoryBytes,
        cpus: this.settings.sandboxCpus,
      };
      let compile: CompileResult | null = null;
      if (lang.compile) {
        const t0 = performance.now();
        const record = await this.runOrOutOfMemory(session, {
          phase: 'compile',
          argv: [...lang.compile.argv(ctx), ...sub.compileFlags],
          env: lang.env(ctx),
          stdin: Buffer.alloc(0),
          cpuTimeMs: sub.limits.compileTimeMs,
          wallTimeMs: sub.limits.compileTimeMs * 2,
          outputBytes: this.settings.responseOutputBytes,
          killOnOutput: false,
          fileSizeBytes: this.settings.scratchBytes,
          openFiles: 1024,
          stackBytes: 256 * MiB,
        });
        compile = this.compileResult(record, { cpuTimeMs: sub.limits.compileTimeMs, memoryBytes: compileMemory });
        this.observer.stage(lang.id, 'compile', (performance.now() - t0) / 1000);
        if (compile.status === 'ok' && lang.compile.memory === 'compile' && sub.mode === 'run') {
          // What the compiler left in the program directory stays for every test: it is the
          // sandbox's memory, not the program's, so it is added rather than charged to the limit.
          await session.setMemory(runMemory + record.boxBytes);
        }
      }

      const compiled = compile === null || compile.status === 'ok';
      const tests: TestResult[] = [];
      if (sub.mode === 'run') {
        let stop = !compiled;
        for (const test of sub.tests) {
          if (stop) {
            tests.push(skipped(test.id));
            continue;
          }
          const t0 = performance.now();
          const result = await this.runTest(session, sub, ctx, test);
          this.observer.stage(lang.id, 'test', (performance.now() - t0) / 1000);
          tests.push(result);
          if (result.verdict !== 'accepted' && sub.stopOnFirstFailure) stop = true;
          // The sandbox died with the test (its OOM killer took the supervisor): nothing left to run in.
          if (result.sandboxLost) stop = true;
        }
      }

      const firstFailure = tests.find((t) => t.verdict !== 'accepted');
      const verdict: Verdict = !compiled ? 'compile_error' : (firstFailure?.verdict ?? 'accepted');
      this.observer.verdict(lang.id, verdict);
      const wallTimeMs = performance.now() - started;
      this.observer.stage(lang.id, 'total', wallTimeMs / 1000);
      return {
        verdict,
        passed: tests.filter((t) => t.verdict === 'accepted').length,
        total: tests.length,
        compile,
        tests,
        manifest: {
          language: lang.id,
          languageVersion: image.version,
          image: image.tag,
          imageId: image.id,
          limits: sub.limits,
          checker: sub.checker,
          supervisorProtocol: PROTOCOL_VERSION,
          instanceId: this.settings.instanceId,
        },
        wallTimeMs: round(wallTimeMs),
      };
    } finally {
      await this.close(session);
    }
  }

  /**
   * The language's image; when it is not known, look again: Docker may have
   * come back, or the image been built since (and an unreachable engine
   * surfaces here as DockerUnavailableError rather than a missing image).
   */
  private async imageFor(lang: LanguageDefinition): Promise<ImageRef> {
    let image = this.images.image(lang);
    if (!image) {
      await this.images.refresh((l, i, argv) => this.probe(l, i, argv));
      image = this.images.image(lang);
    }
    if (!image) throw new ImageMissingError(`the ${lang.id} sandbox image is not built (npm run images builds it)`);
    return image;
  }

  /** Run one command in a fresh sandbox of the language's image (toolchain version probes). */
  async probe(lang: LanguageDefinition, image: { tag: string }, argv: readonly string[]): Promise<RunRecord> {
    const session = await this.open(lang, { tag: image.tag }, this.containerMemory(256 * MiB, MiB), 256 * MiB, 32);
    try {
      return await this.run(session, {
        phase: 'test',
        argv,
        env: lang.env({ entry: lang.sourceFile, entrySource: '', sources: [], memoryBytes: 256 * MiB, cpus: this.settings.sandboxCpus }),
        stdin: Buffer.alloc(0),
        cpuTimeMs: 5000,
        wallTimeMs: 10_000,
        outputBytes: 64 * 1024,
        killOnOutput: false,
        fileSizeBytes: MiB,
        openFiles: 256,
        stackBytes: 8 * MiB,
      });
    } finally {
      await this.close(session);
    }
  }

  /**
   * Room for the supervisor beside the program: its two capture buffers and its
   * own few MiB. The program's share is judged against the limit itself.
   */
  private containerMemory(programBytes: number, outputBytes: number): number {
    return programBytes + 2 * outputBytes + 16 * MiB;
  }

  private async open(
    lang: LanguageDefinition,
    image: { tag: string },
    containerMemoryBytes: number,
    programMemoryBytes: number,
    processes: number,
  ): Promise<SandboxSession> {
    const t0 = performance.now();
    const session = await SandboxSession.open(this.engine, {
      image: image.tag,
      memoryBytes: containerMemoryBytes,
      // The supervisor is one more process in the container's pid count.
      pids: processes + 1,
      cpus: this.settings.sandboxCpus,
      boxBytes: this.settings.scratchBytes,
      // Scratch files are memory too: kept well below the program's limit, so what a killed
      // program leaves there can never starve the supervisor of the container's slack.
      tmpBytes: Math.max(MiB, Math.min(this.settings.scratchBytes, Math.floor(programMemoryBytes / 2))),
      shmBytes: Math.max(MiB, Math.min(16 * MiB, Math.floor(programMemoryBytes / 4))),
      candidateUid: randomCandidateUid(),
      labels: { [LABEL_INSTANCE]: this.settings.instanceId, [LABEL_JOB]: randomUUID(), [LABEL_LANGUAGE]: lang.id },
    });
    this.observer.containers(1);
    this.observer.stage(lang.id, 'start', (performance.now() - t0) / 1000);
    return session;
  }

  private async close(session: SandboxSession): Promise<void> {
    try {
      await session.close();
    } finally {
      this.observer.containers(-1);
    }
  }

  private async run(session: SandboxSession, request: RunRequest): Promise<RunRecord> {
    const record = await session.run(request);
    // The command the image promises could not start: a broken image, not a broken program.
    if (record.reason === 'exec' || record.reason === 'setup') {
      throw new SandboxFailedError(`the sandbox could not start ${JSON.stringify(request.argv[0])} (${record.reason}, errno ${record.execErrno})`);
    }
    return record;
  }

  /**
   * A run whose sandbox the OOM killer took: a record of a memory-killed run,
   * marked so the judge stops using the dead sandbox.
   */
  private async runOrOutOfMemory(session: SandboxSession, request: RunRequest): Promise<RunRecord & { sandboxLost?: true }> {
    try {
      return await this.run(session, request);
    } catch (err) {
      if (!(err instanceof SandboxOutOfMemory)) throw err;
      return {
        exitCode: null,
        signal: constants.signals.SIGKILL,
        cpuTimeMs: 0,
        wallTimeMs: 0,
        peakMemoryBytes: 0,
        oomKills: 1,
        reason: 'none',
        execErrno: 0,
        boxBytes: 0,
        stdout: Buffer.alloc(0),
        stdoutTruncated: false,
        stderr: Buffer.alloc(0),
        stderrTruncated: false,
        sandboxLost: true,
      };
    }
  }

  private async runTest(session: SandboxSession, sub: Submission, ctx: BuildContext, test: TestCase): Promise<TestResult> {
    const record = await this.runOrOutOfMemory(session, {
      phase: 'test',
      argv: [...sub.language.run.argv(ctx), ...test.args],
      env: sub.language.env(ctx),
      stdin: test.stdin,
      cpuTimeMs: sub.limits.timeMs,
      wallTimeMs: sub.limits.wallTimeMs,
      outputBytes: sub.limits.outputBytes,
      killOnOutput: true,
      fileSizeBytes: this.settings.scratchBytes,
      openFiles: 1024,
      // Below the memory limit, so runaway recursion ends as a stack overflow (runtime_error).
      stackBytes: Math.max(8 * MiB, Math.floor((sub.limits.memoryBytes * 3) / 4)),
    });
    let verdict: Verdict | undefined = classifyRun(record, { cpuTimeMs: sub.limits.timeMs, memoryBytes: sub.limits.memoryBytes });
    let checkerMessage: string | undefined;
    let harnessCompleted: boolean | undefined;
    if (sub.marker !== undefined) {
      const found = stripMarker(record.stdout, sub.marker);
      harnessCompleted = found.present;
      record.stdout = found.stdout;
      // Exiting 0 before the test code finished is not passing it.
      if (verdict === undefined && !found.present) verdict = 'runtime_error';
    }
    if (verdict === undefined) {
      if (test.expectedStdout === undefined) {
        verdict = 'accepted';
      } else {
        const checked = check(record.stdout, test.expectedStdout, sub.checker);
        verdict = checked.ok ? 'accepted' : 'wrong_answer';
        checkerMessage = checked.message;
      }
    }
    const limit = this.settings.responseOutputBytes;
    return {
      id: test.id,
      verdict,
      exitCode: record.exitCode,
      signal: signalName(record.signal),
      cpuTimeMs: round(record.cpuTimeMs),
      wallTimeMs: round(record.wallTimeMs),
      peakMemoryBytes: record.peakMemoryBytes,
      stdout: decode(record.stdout, limit),
      stdoutTruncated: record.stdoutTruncated || record.stdout.length > limit,
      stderr: decode(record.stderr, limit),
      stderrTruncated: record.stderrTruncated || record.stderr.length > limit,
      ...(checkerMessage ? { checkerMessage } : {}),
      ...(harnessCompleted !== undefined ? { harnessCompleted } : {}),
      ...(record.sandboxLost ? { sandboxLost: true as const } : {}),
    };
  }

  private compileResult(record: RunRecord, limits: { cpuTimeMs: number; memoryBytes: number }): CompileResult {
    const output = Buffer.concat([record.stdout, record.stderr]);
    return {
      status: classifyCompile(record, limits),
      exitCode: record.exitCode,
      signal: signalName(record.signal),
      output: decode(output, this.settings.responseOutputBytes),
      outputTruncated: record.stdoutTruncated || record.stderrTruncated || output.length > this.settings.responseOutputBytes,
      cpuTimeMs: round(record.cpuTimeMs),
      wallTimeMs: round(record.wallTimeMs),
      peakMemoryBytes: record.peakMemoryBytes,
    };
  }
}

/** A uid no other live sandbox is likely to share (per-user kernel limits are host-wide). */
function randomCandidateUid(): number {
  return randomInt(100_000, 2_000_000_000);
}

function skipped(id: string): TestResult {
  return {
    id,
    verdict: 'skipped',
    exitCode: null,
    signal: null,
    cpuTimeMs: 0,
    wallTimeMs: 0,
    peakMemoryBytes: 0,
    stdout: '',
    stdoutTruncated: false,
    stderr: '',
    stderrTruncated: false,
  };
}

/** The trailer writes "\n<marker>\n"; take it out so the checker and the client see the program's own output. */
function stripMarker(stdout: Buffer, marker: string): { present: boolean; stdout: Buffer } {
  const needle = Buffer.from(`\n${marker}\n`, 'latin1');
  const at = stdout.lastIndexOf(needle);
  if (at < 0) return { present: false, stdout };
  return { present: true, stdout: Buffer.concat([stdout.subarray(0, at), stdout.subarray(at + needle.length)]) };
}

function decode(bytes: Buffer, limit: number): string {
  return bytes.subarray(0, limit).toString('utf8');
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

export const defaultChecker = (mode: CheckerMode = 'lines'): CheckerOptions => ({ mode, absTolerance: 1e-6, relTolerance: 1e-6 });
