/**
 * One sandbox container driven through its supervisor: write the program,
 * run steps, destroy. A session never outlives the request that opened it.
 */
import { DockerUnavailableError, SandboxFailedError, VerdictError } from '../errors.js';
import type { ContainerEngine, SandboxContainer, SandboxSpec } from './docker-engine.js';
import { encodeFile, encodeReset, encodeRun, FrameReader, PROTOCOL_VERSION, type Frame, type RunRecord, type RunRequest } from './protocol.js';

/**
 * The container's OOM killer took the supervisor itself. Only the program can
 * have used the memory (the supervisor's own is bounded and counted in the
 * slack), so the judge turns this into a memory verdict for the run that was
 * going on; it is not an infrastructure failure.
 */
export class SandboxOutOfMemory extends Error {
  override name = 'SandboxOutOfMemory';
}

/** Time the supervisor gets beyond a step's own wall limit before we declare it dead. */
const SUPERVISOR_GRACE_MS = 10_000;
const HELLO_TIMEOUT_MS = 15_000;

/** /box, /tmp and /dev/shm: each holds at most the spec's `inodes` entries (/dev/mqueue, 256 queues, is in the fixed part). */
const WRITABLE_MOUNTS = 3;
/** Killing, reaping and removing SysV IPC objects, whatever the scratch space holds. */
const WIPE_FIXED_MS = 5_000;
/**
 * Per entry the writable mounts can hold. Measured in a sandbox, the supervisor removes 85 000
 * (nested directories) to 300 000 (empty files) entries a second: 100 000 directories in /tmp take
 * 0.63 s. 100 µs, eight times the slowest, leaves room for a loaded host or a slower runtime (gVisor).
 */
const WIPE_MS_PER_ENTRY = 0.1;

/**
 * How long a wipe may take (after a run, or at a reset) in a sandbox whose writable mounts hold at
 * most `inodes` entries each. What a candidate creates is bounded by the inode limits, so this is
 * too: a candidate cannot make the service wait longer by creating more.
 */
export function wipeTimeoutMs(inodes: number): number {
  return WIPE_FIXED_MS + Math.ceil(WRITABLE_MOUNTS * inodes * WIPE_MS_PER_ENTRY);
}

export class SandboxSession {
  private readonly frames: FrameReader;
  private closed = false;
  private wipeFailed = false;

  /**
   * Whether another candidate may use this sandbox after a reset: only when the supervisor hides the
   * cgroup's cumulative counters (Landlock), which no reset can clear. Known once the HELLO arrived.
   */
  private countersHidden = false;

  private constructor(
    private readonly container: SandboxContainer,
    private readonly wipeTimeoutMs: number,
  ) {
    this.frames = new FrameReader(container.output);
  }

  static async open(engine: ContainerEngine, spec: SandboxSpec): Promise<SandboxSession> {
    const container = await engine.startSandbox(spec);
    const session = new SandboxSession(container, wipeTimeoutMs(spec.inodes));
    try {
      const hello = await session.nextFrame(HELLO_TIMEOUT_MS, 'start');
      if (hello.kind !== 'hello' || hello.protocol !== PROTOCOL_VERSION) {
        throw new SandboxFailedError(`unexpected greeting from the supervisor in ${spec.image}: ${JSON.stringify(hello).slice(0, 200)}`);
      }
      session.countersHidden = hello.landlock;
      return session;
    } catch (err) {
      await session.close();
      throw err;
    }
  }

  get containerId(): string {
    return this.container.id;
  }

  async writeFile(path: string, content: Buffer | string, mode = 0o644): Promise<void> {
    this.send(encodeFile(path, content, mode));
    const frame = await this.nextFrame(HELLO_TIMEOUT_MS, `write ${path}`);
    if (frame.kind === 'error') throw new SandboxFailedError(`the supervisor could not write ${path}: ${frame.message}`);
    if (frame.kind !== 'ok') throw new SandboxFailedError(`unexpected reply to a file write: ${frame.kind}`);
  }

  /**
   * Makes this sandbox a fresh one for another candidate, who runs as
   * `candidateUid` from now on: nothing the previous candidate started, wrote
   * or compiled is left, and the program can be written and compiled again.
   * A sandbox that cannot be emptied dies instead (SandboxFailedError here).
   */
  async reset(candidateUid: number): Promise<void> {
    this.send(encodeReset(candidateUid));
    const frame = await this.nextFrame(this.wipeTimeoutMs, 'reset');
    if (frame.kind === 'error') throw new SandboxFailedError(`the supervisor could not reset the sandbox: ${frame.message}`);
    if (frame.kind !== 'ok') throw new SandboxFailedError(`unexpected reply to a reset: ${frame.kind}`);
  }

  /**
   * The run's record, as soon as the supervisor reported it. It then wipes what the run left; when
   * it does not say so in time (or dies doing it), the record still stands, but the sandbox is
   * spent (`spent`): the caller retires it and runs nothing more in it. Only Docker itself being
   * unreachable is an error then, as it is no fault of the program.
   */
  async run(request: RunRequest): Promise<RunRecord> {
    this.send(encodeRun(request));
    const frame = await this.nextFrame(request.wallTimeMs + SUPERVISOR_GRACE_MS, `run ${request.phase}`, true);
    if (frame.kind !== 'result') throw new SandboxFailedError(`unexpected reply to a run: ${frame.kind}`);
    try {
      const wiped = await this.nextFrame(this.wipeTimeoutMs, `wipe after run ${request.phase}`);
      if (wiped.kind !== 'ok') throw new SandboxFailedError(`unexpected reply to a run after its result: ${wiped.kind}`);
    } catch (err) {
      if (err instanceof DockerUnavailableError) throw err;
      this.wipeFailed = true;
    }
    return frame.record;
  }

  /** Whether reset() may hand this sandbox to another candidate (see countersHidden). */
  get reusable(): boolean {
    return this.countersHidden;
  }

  /** The supervisor did not finish wiping after a run: nothing may run here any more. */
  get spent(): boolean {
    return this.wipeFailed;
  }

  setMemory(bytes: number): Promise<void> {
    return this.container.setMemory(bytes);
  }

  /** Idempotent; the container is gone when this resolves. */
  async close(): Promise<void> {
    this.closed = true;
    await this.container.destroy();
  }

  private send(bytes: Buffer): void {
    if (this.closed) throw new SandboxFailedError('the sandbox session is closed');
    if (this.wipeFailed) throw new SandboxFailedError('the sandbox is spent: its supervisor did not finish wiping after a run');
    this.container.input.write(bytes);
  }

  /** `programRunning`: the program may be what killed the supervisor (see SandboxOutOfMemory). */
  private async nextFrame(timeoutMs: number, what: string, programRunning = false): Promise<Frame> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new SandboxFailedError(`the supervisor did not answer within ${timeoutMs} ms (${what})`)), timeoutMs);
    });
    try {
      return await Promise.race([this.frames.next(), timeout]);
    } catch (err) {
      if (err instanceof VerdictError) throw err;
      throw await this.explainDeath(err as Error, what, programRunning);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The supervisor's stream ended early: find out from Docker why, as a typed error. */
  private async explainDeath(cause: Error, what: string, programRunning: boolean): Promise<VerdictError | SandboxOutOfMemory> {
    let exit;
    try {
      exit = await this.container.inspectExit();
    } catch (err) {
      if (err instanceof DockerUnavailableError) return err;
      return new SandboxFailedError(`the sandbox failed during ${what} and could not be inspected`, { cause: err });
    }
    if (exit?.oomKilled && exit.exitCode === 137 && programRunning) {
      return new SandboxOutOfMemory(`the sandbox ran out of memory during ${what}`, { cause });
    }
    const diag = this.container.diagnostics().trim();
    const state = exit ? `exit code ${String(exit.exitCode)}${exit.oomKilled ? ', OOM-killed' : ''}${exit.error ? `, ${exit.error}` : ''}` : 'still running';
    return new SandboxFailedError(`the sandbox supervisor failed during ${what} (${state})${diag ? `: ${diag.slice(0, 500)}` : ''}`, { cause });
  }
}
