/**
 * One program in its sandbox: the files written, the compile step (first, or deferred until a
 * test's failure calls for it), then every test in turn within the tests' wall-time budget, the
 * slot yielded between steps. A sandbox that dies with a step ends the program there.
 */
import { randomUUID } from 'node:crypto';
import type { Config } from '../config.js';
import type { Verdict } from '../domain/vocabulary.js';
import { CancelledError } from '../errors.js';
import type { BuildContext } from '../languages/types.js';
import { PROTOCOL_VERSION } from '../sandbox/protocol.js';
import type { SandboxSession } from '../sandbox/session.js';
import type { CompileResult, TestResult } from '../domain/results.js';
import { compileResult, deferredCheckPattern, defersCompile, evaluateTest, programVerdict, roundMs, skipped, type TestMarkers } from './evaluate.js';
import type { ReuseSet, SandboxProvider } from './provider.js';
import type { Slot } from './scheduler.js';
import { compileMemoryBytes, compileWallTimeMs, containerMemoryBytes, MiB, sandboxShape, testStackBytes } from './sizing.js';
import { runOrOutOfMemory } from './step.js';
import type { ImageRef, JudgedResult, Submission, TestCase } from './submission.js';

export interface PipelineObserver {
  stage(language: string, stage: 'compile' | 'test' | 'total', seconds: number): void;
  verdict(language: string, verdict: Verdict): void;
}

export type PipelineSettings = Pick<Config, 'instanceId' | 'scratchBytes' | 'sandboxCpus' | 'responseOutputBytes'>;

export class Pipeline {
  constructor(
    private readonly provider: SandboxProvider,
    private readonly settings: PipelineSettings,
    private readonly observer: PipelineObserver,
  ) {}

  /** Judge `sub` with the slot `slot` holds; `signal` aborting kills its sandbox, and the judging stops with a CancelledError. */
  async judge(sub: Submission, image: ImageRef, signal: AbortSignal, reuse: ReuseSet | undefined, slot: Slot): Promise<JudgedResult> {
    if (signal.aborted) throw CancelledError.from(signal, 'judging stopped');
    const started = performance.now();
    const lang = sub.language;
    const runMemory = containerMemoryBytes(sub.limits.memoryBytes, sub.limits.outputBytes);
    const shape = sandboxShape(lang, image, sub.limits, this.settings.scratchBytes);
    let sandbox = await this.provider.acquire(shape, reuse);
    // A client gone or a deadline passed: kill the container, which ends whatever step is waiting on it.
    const kill = () => this.provider.release(sandbox, false);
    signal.addEventListener('abort', kill, { once: true });
    let reusable = false;
    try {
      try {
        for (const file of sub.files) await sandbox.session.writeFile(file.path, file.content);
      } catch (err) {
        // A warm or reused sandbox can have died while it waited (Docker restarted, its stream cut).
        // Nothing of the program ran yet, so a new sandbox is a clean second try.
        if (sandbox.origin === 'fresh' || signal.aborted) throw err;
        sandbox = await this.provider.replace(sandbox, shape);
        if (signal.aborted) throw CancelledError.from(signal, 'judging stopped');
        for (const file of sub.files) await sandbox.session.writeFile(file.path, file.content);
      }
      const session = sandbox.session;

      const ctx: BuildContext = {
        entry: sub.entry,
        entrySource: sub.files.find((f) => f.path === sub.entry)?.content.toString('utf8') ?? '',
        sources: sub.files.map((f) => f.path).filter((p) => lang.sourcePattern.test(p)),
        memoryBytes: sub.limits.memoryBytes,
        cpus: this.settings.sandboxCpus,
      };
      let compile: CompileResult | null = null;
      // The sandbox died with a step (its OOM killer took the supervisor) or could not be wiped after
      // one: that step's result stands, nothing more runs in it, and it is never handed on.
      let lost = false;
      const compileStep = lang.compile;
      const runCompile = async (phase: 'compile' | 'test') => {
        const t0 = performance.now();
        const record = await runOrOutOfMemory(session, {
          // After a test the program directory is sealed; a deferred check only reads it.
          phase,
          argv: removingAfter(sub.compileOnly, [...compileStep!.argv(ctx), ...sub.compileFlags, ...(sub.coverage ? (lang.coverage?.compileFlags ?? []) : [])]),
          env: lang.env(ctx),
          stdin: Buffer.alloc(0),
          cpuTimeMs: sub.limits.compileTimeMs,
          wallTimeMs: compileWallTimeMs(sub.limits),
          outputBytes: this.returnedBytes(sub),
          killOnOutput: false,
          fileSizeBytes: this.settings.scratchBytes,
          openFiles: 1024,
          stackBytes: 256 * MiB,
        });
        this.observer.stage(lang.id, 'compile', (performance.now() - t0) / 1000);
        if (record.sandboxLost) lost = true;
        const limits = { cpuTimeMs: sub.limits.compileTimeMs, memoryBytes: compileMemoryBytes(compileStep!, sub.limits) };
        return { record, result: compileResult(record, limits, this.returnedBytes(sub)) };
      };
      if (compileStep && !defersCompile(sub)) {
        const { record, result } = await runCompile('compile');
        compile = result;
        if (compile.status === 'ok' && compileStep.memory === 'compile' && sub.mode === 'run' && !lost) {
          // What the compiler left in the program directory stays for every test: it is the
          // sandbox's memory, not the program's, so it is added rather than charged to the limit.
          sandbox.memoryBytes = runMemory + record.boxBytes;
          await session.setMemory(sandbox.memoryBytes);
        }
      }

      let compiled = compile === null || compile.status === 'ok';
      let tests: TestResult[] = [];
      // The tests' wall time ran out (limits.totalWallTimeMs): the candidate's doing, so a verdict.
      let budgetExhausted = false;
      if (sub.mode === 'run') {
        let stop = !compiled || lost;
        let budgetMs = sub.limits.totalWallTimeMs;
        // Whether a step ran in this sandbox since the slot was granted.
        let stepped = compile !== null;
        for (const test of sub.tests) {
          if (!stop && budgetMs <= 0) stop = budgetExhausted = true;
          if (stop) {
            tests.push(skipped(test.id));
            continue;
          }
          // Between two steps the slot goes to a request waiting for one, so a program of many slow
          // tests delays others by one test; the sandbox stays this program's meanwhile.
          if (stepped) await slot.yield();
          stepped = true;
          // No test may run past what is left of the budget: the last one gets the rest.
          const cut = budgetMs < sub.limits.wallTimeMs;
          const within = cut ? { ...sub, limits: { ...sub.limits, wallTimeMs: budgetMs } } : sub;
          const t0 = performance.now();
          const { result, suspected } = await this.runTest(session, within, ctx, test, deferredCheckPattern(sub, compile !== null));
          this.observer.stage(lang.id, 'test', (performance.now() - t0) / 1000);
          budgetMs -= result.wallTimeMs;
          // Killed on the shortened wall limit, not its own CPU limit: the budget ended it.
          if (budgetMs <= 0 || (cut && result.verdict === 'time_limit_exceeded' && result.cpuTimeMs < sub.limits.timeMs)) budgetExhausted = true;
          // The program may not have been a program at all: now the check is worth its start-up.
          if (suspected && !result.sandboxLost) {
            compile = (await runCompile('test')).result;
            if (compile.status !== 'ok') {
              compiled = false;
              tests = sub.tests.map((t) => skipped(t.id));
              // Not a program: whatever it spent of the budget, its verdict is the compile error.
              budgetExhausted = false;
              break;
            }
          }
          tests.push(result);
          if (budgetExhausted) stop = true;
          if (result.verdict !== 'accepted' && sub.stopOnFirstFailure) stop = true;
          // The sandbox did not survive the test (or the syntax check after it): nothing left to run in.
          if (result.sandboxLost) lost = true;
          if (lost) stop = true;
        }
      }
      reusable = !lost;
      // A sandbox killed for a client gone or a deadline passed looks spent too: that is no verdict.
      if (signal.aborted) throw CancelledError.from(signal, 'judging stopped');

      const verdict = programVerdict({ compiled, tests, budgetExhausted, lost });
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
        wallTimeMs: roundMs(wallTimeMs),
        ...(budgetExhausted ? { budgetExhausted: true as const } : {}),
      };
    } catch (err) {
      if (signal.aborted) throw CancelledError.from(signal, 'judging stopped');
      throw err;
    } finally {
      signal.removeEventListener('abort', kill);
      if (reusable && !signal.aborted) {
        if (reuse) reuse.give(sandbox);
        else this.provider.release(sandbox, true);
      } else this.provider.release(sandbox, false);
    }
  }

  /**
   * One test run as the language runs it: the program itself, under its tracer, a call runner
   * calling its function, or the program served to trusted test code beside it (a paired run).
   */
  private async runTest(session: SandboxSession, sub: Submission, ctx: BuildContext, test: TestCase, suspect: RegExp | undefined): Promise<{ result: TestResult; suspected: boolean }> {
    const caller = test.call && sub.entryPoint !== undefined ? sub.language.call : undefined;
    const paired = sub.trustedTestCode !== undefined && !caller ? sub.language.trustedTestCode : undefined;
    // A call test's runner and a paired run's server trace by themselves; a program run is traced by the language's tracer.
    const tracer = sub.coverage && !caller ? sub.language.coverage : undefined;
    const markers: TestMarkers = {
      coverage: tracer ? `verdict-coverage-${randomUUID()}` : undefined,
      call: caller ? `verdict-call-${randomUUID()}` : undefined,
    };
    const program = paired ? paired.serve(ctx) : tracer ? tracer.argv(ctx) : sub.language.run.argv(ctx);
    const argv = caller ? caller.argv(ctx, sub.entryPoint!) : [...program, ...test.args];
    const stdin = caller ? Buffer.from(JSON.stringify({ marker: markers.call, args: test.call!.args, kwargs: test.call!.kwargs, coverage: sub.coverage }), 'utf8') : test.stdin;
    const record = await runOrOutOfMemory(session, {
      phase: 'test',
      argv,
      env: tracer ? { ...sub.language.env(ctx), [tracer.markerEnv]: markers.coverage! } : sub.language.env(ctx),
      stdin,
      cpuTimeMs: sub.limits.timeMs,
      wallTimeMs: sub.limits.wallTimeMs,
      outputBytes: sub.limits.outputBytes,
      killOnOutput: true,
      fileSizeBytes: this.settings.scratchBytes,
      openFiles: 1024,
      stackBytes: testStackBytes(sub.limits.memoryBytes),
      ...(paired ? { trusted: { argv: paired.runner, env: paired.runnerEnv, stdin: Buffer.from(JSON.stringify({ testCode: sub.trustedTestCode }), 'utf8') } } : {}),
    });
    return evaluateTest(sub, test, record, { ...markers, paired: paired !== undefined }, this.returnedBytes(sub), suspect);
  }

  private returnedBytes(sub: Submission): number {
    return sub.returnedOutputBytes ?? this.settings.responseOutputBytes;
  }
}

/**
 * The compile command, then the removal of the files only it may read (the trailer's, holding the
 * hidden marker), in the same step: the program directory is the candidate's while it compiles and
 * sealed after, so this is the one moment they can go. A failed compile keeps its status.
 * The names are the harnesses' own (no space, no quote), never a candidate's.
 */
function removingAfter(files: readonly string[], argv: string[]): string[] {
  if (files.length === 0) return argv;
  return ['/bin/sh', '-c', `"$@" || exit; exec rm -f -- ${files.join(' ')}`, 'verdict-compile', ...argv];
}
