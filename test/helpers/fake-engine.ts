/**
 * A container engine without Docker whose sandboxes play the supervisor's side of the protocol
 * (src/sandbox/protocol.ts) from a script: each RUN the judge sends is answered with the record the
 * script gives for it, or with the supervisor dying. The judge, its sessions and its frame parser
 * run unchanged on top, so what a test asserts is what the service would do with those records.
 */
import { PassThrough } from 'node:stream';
import { parseConfig, type Config } from '../../src/config.js';
import { DockerUnavailableError } from '../../src/errors.js';
import { Judge } from '../../src/judge/judge.js';
import { Metrics } from '../../src/metrics.js';
import type { ContainerEngine, ContainerExit, SandboxContainer, SandboxSpec } from '../../src/sandbox/docker-engine.js';
import { PROTOCOL_VERSION, type Phase } from '../../src/sandbox/protocol.js';

/** One RUN as the supervisor received it. */
export interface SeenRun {
  /** 1 for the first sandbox the engine started, and so on. */
  sandbox: number;
  phase: Phase;
  argv: string[];
  env: Record<string, string>;
  stdin: Buffer;
  cpuTimeMs: number;
  wallTimeMs: number;
}

/** The record a run reports; anything left out is a clean, quick exit 0 with no output. */
export interface ScriptedRecord {
  exitCode?: number;
  signal?: number;
  cpuTimeMs?: number;
  wallTimeMs?: number;
  peakMemoryBytes?: number;
  oomKills?: number;
  reason?: string;
  execErrno?: number;
  boxBytes?: number;
  stdout?: string | Buffer;
  stdoutTruncated?: boolean;
  stderr?: string | Buffer;
  stderrTruncated?: boolean;
}

/**
 * What the supervisor does with a run: report `record`, then wipe and say so ('ok', the default),
 * die before saying so, never say so, or die as Docker itself goes away (its exit cannot be
 * inspected); or die during the run itself, before any record: a crash (the container exits 70)
 * or the OOM killer taking the supervisor with the program (exit 137, OOM-killed).
 */
export type ScriptedStep = { record: ScriptedRecord; after?: 'ok' | 'die' | 'hang' | 'docker-gone' } | { dies: 'crash' | 'oom' };

export type Script = (run: SeenRun) => ScriptedStep;

/** A step reporting `stdout` and exit 0. */
export const prints = (stdout: string, more: ScriptedRecord = {}): ScriptedStep => ({ record: { ...more, stdout } });

/** A step exiting with `exitCode` and `stderr`. */
export const fails = (exitCode: number, stderr: string): ScriptedStep => ({ record: { exitCode, stderr } });

/** Reads the service's requests ("<verb> k=v…\n" + blobs) as they arrive. */
class RequestReader {
  private buffer = Buffer.alloc(0);

  push(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
  }

  /** The next whole request: its verb, header fields and blobs; undefined while it is incomplete. */
  take(): { verb: string; fields: Map<string, string>; blobs: Buffer[] } | undefined {
    const nl = this.buffer.indexOf(0x0a);
    if (nl < 0) return undefined;
    const [verb = '', ...parts] = this.buffer.subarray(0, nl).toString('ascii').split(' ');
    const fields = new Map(parts.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
    const count = verb === 'FILE' ? 2 : verb === 'RUN' ? Number(fields.get('argc')) + Number(fields.get('envc')) + 1 : 0;
    const blobs: Buffer[] = [];
    let at = nl + 1;
    for (let i = 0; i < count; i++) {
      const end = this.buffer.indexOf(0x0a, at);
      if (end < 0) return undefined;
      const length = Number(this.buffer.subarray(at, end).toString('ascii'));
      if (end + 1 + length > this.buffer.length) return undefined;
      blobs.push(this.buffer.subarray(end + 1, end + 1 + length));
      at = end + 1 + length;
    }
    this.buffer = this.buffer.subarray(at);
    return { verb, fields, blobs };
  }
}

function resultFrame(r: ScriptedRecord): Buffer {
  const stdout = Buffer.from(r.stdout ?? '');
  const stderr = Buffer.from(r.stderr ?? '');
  const header =
    `RESULT exit=${r.exitCode ?? 0} signal=${r.signal ?? 0} cpu_us=${Math.round((r.cpuTimeMs ?? 1) * 1000)} wall_us=${Math.round((r.wallTimeMs ?? 2) * 1000)}` +
    ` rss_kb=${Math.round((r.peakMemoryBytes ?? 1 << 20) / 1024)} oom_kills=${r.oomKills ?? 0} reason=${r.reason ?? 'none'} exec_errno=${r.execErrno ?? 0}` +
    ` box_bytes=${r.boxBytes ?? 0} stdout_len=${stdout.length} stdout_truncated=${r.stdoutTruncated ? 1 : 0}` +
    ` stderr_len=${stderr.length} stderr_truncated=${r.stderrTruncated ? 1 : 0}\n`;
  return Buffer.concat([Buffer.from(header, 'ascii'), stdout, stderr]);
}

export class FakeEngine {
  readonly started: SandboxSpec[] = [];
  readonly destroyed: string[] = [];
  readonly runs: SeenRun[] = [];
  /** Every request, as "<container id> <verb>". */
  readonly verbs: string[] = [];
  /** Memory limits the judge set on running containers, as "<container id> <bytes>". */
  readonly memoryChanges: string[] = [];

  /** `landlock`: whether the supervisor says in its HELLO that it hides the cgroup counters (reuse allowed). */
  constructor(
    private readonly script: Script,
    private readonly landlock = true,
  ) {}

  asEngine(): ContainerEngine {
    return { startSandbox: (spec: SandboxSpec) => Promise.resolve(this.start(spec)) } as unknown as ContainerEngine;
  }

  private start(spec: SandboxSpec): SandboxContainer {
    const sandbox = this.started.push(spec);
    const id = `fake-${sandbox}`;
    const input = new PassThrough();
    const output = new PassThrough();
    const reader = new RequestReader();
    let exit: ContainerExit = { exitCode: null, oomKilled: false, error: '' };
    let dockerGone = false;
    output.write(`HELLO proto=${PROTOCOL_VERSION} cgroup=v1 oom_counter=1 landlock=${this.landlock ? 1 : 0}\n`);
    input.on('data', (chunk: Buffer) => {
      reader.push(chunk);
      for (let request = reader.take(); request !== undefined; request = reader.take()) {
        this.verbs.push(`${id} ${request.verb}`);
        if (request.verb !== 'RUN') {
          output.write('OK\n');
          continue;
        }
        const { fields, blobs } = request;
        const argc = Number(fields.get('argc'));
        const envc = Number(fields.get('envc'));
        const run: SeenRun = {
          sandbox,
          phase: fields.get('phase') as Phase,
          argv: blobs.slice(0, argc).map((b) => b.toString('utf8')),
          env: Object.fromEntries(
            blobs.slice(argc, argc + envc).map((b) => {
              const text = b.toString('utf8');
              return [text.slice(0, text.indexOf('=')), text.slice(text.indexOf('=') + 1)];
            }),
          ),
          stdin: Buffer.from(blobs[argc + envc]!),
          cpuTimeMs: Number(fields.get('cpu_ms')),
          wallTimeMs: Number(fields.get('wall_ms')),
        };
        this.runs.push(run);
        const step = this.script(run);
        if ('dies' in step) {
          exit = step.dies === 'oom' ? { exitCode: 137, oomKilled: true, error: '' } : { exitCode: 70, oomKilled: false, error: '' };
          output.end();
          return;
        }
        output.write(resultFrame(step.record));
        const after = step.after ?? 'ok';
        if (after === 'ok') output.write('OK\n');
        else if (after === 'die' || after === 'docker-gone') {
          exit = { exitCode: 70, oomKilled: false, error: '' };
          dockerGone = after === 'docker-gone';
          output.end();
          return;
        }
      }
    });
    return {
      id,
      input,
      output,
      diagnostics: () => '',
      setMemory: (bytes: number) => {
        this.memoryChanges.push(`${id} ${bytes}`);
        return Promise.resolve();
      },
      inspectExit: () => (dockerGone ? Promise.reject(new DockerUnavailableError('Docker is unreachable')) : Promise.resolve(exit)),
      destroy: () => {
        if (!this.destroyed.includes(id)) this.destroyed.push(id);
        output.end();
        return Promise.resolve();
      },
    } as unknown as SandboxContainer;
  }
}

/** The service's settings for judging against a fake engine: one slot, no warm pool. */
export function fakeConfig(env: Record<string, string> = {}): Config {
  return parseConfig(
    { LOG_LEVEL: 'silent', VERDICT_CONCURRENCY: '1', VERDICT_POOL_MAX_IDLE: '0', VERDICT_SCRATCH_INODES: '1024', ...env },
    { cpuCount: 1, randomId: 'fake-engine' },
  );
}

/** A judge whose every language's image is a fake one, on `engine`. */
export function fakeJudge(engine: FakeEngine, config: Config = fakeConfig()): Judge {
  const images = { image: () => ({ tag: 'verdict/sandbox:fake', id: 'sha256:fake', version: 'fake 1' }), refresh: () => Promise.resolve() };
  const judge: Judge = new Judge(engine.asEngine(), images, config, new Metrics(() => judge.stats()));
  return judge;
}
