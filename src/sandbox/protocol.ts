/**
 * The wire format between the service and the in-container supervisor
 * (sandbox-images/base/supervisor/, wire format in protocol.h). Requests go in over the
 * container's stdin, replies come back on its stdout; every variable-length
 * value is a blob "<decimal length>\n<bytes>", so no byte a candidate prints
 * can be mistaken for framing.
 */
import type { Readable } from 'node:stream';
import { killReasons, type KillReason } from '../domain/vocabulary.js';

/**
 * 3: a RUN is answered by its RESULT before the wipe of scratch space, then by OK once wiped.
 * 4: a test may be a paired run, the candidate beside a trusted test process (RunRequest.trusted).
 */
export const PROTOCOL_VERSION = 4;

export type Phase = 'compile' | 'test';

export interface RunRequest {
  phase: Phase;
  argv: readonly string[];
  env: Readonly<Record<string, string>>;
  stdin: Buffer;
  cpuTimeMs: number;
  wallTimeMs: number;
  /** Captured bytes of stdout plus stderr; past it the run is killed when `killOnOutput`. */
  outputBytes: number;
  killOnOutput: boolean;
  fileSizeBytes: number;
  openFiles: number;
  stackBytes: number;
  /**
   * A paired run (tests only): this process runs first, as the supervisor's trusted user, beside
   * the candidate and joined to it only by two pipes (each reads fd 3, writes fd 4). The run ends
   * when it does; its stdout and stderr come back as RunRecord.trusted, out of the candidate's reach.
   */
  trusted?: { argv: readonly string[]; env: Readonly<Record<string, string>>; stdin: Buffer };
}

/** What the trusted process of a paired run did. */
export interface TrustedRecord {
  exitCode: number | null;
  signal: number | null;
  /** It never ran: the supervisor could not set it up, or exec it (Verdict's failure, never the candidate's). */
  failedToStart: boolean;
  /** Its stdout and stderr together, up to the run's output cap. */
  output: Buffer;
  outputTruncated: boolean;
}

export interface RunRecord {
  /** null when the process did not exit by itself (signal, or never started). */
  exitCode: number | null;
  signal: number | null;
  cpuTimeMs: number;
  wallTimeMs: number;
  peakMemoryBytes: number;
  /** OOM kills in the container during this run; null when the kernel counter is unreadable. */
  oomKills: number | null;
  reason: KillReason;
  execErrno: number;
  /** Bytes in the program directory after the run (what a compile left there). */
  boxBytes: number;
  stdout: Buffer;
  stdoutTruncated: boolean;
  stderr: Buffer;
  stderrTruncated: boolean;
  /** A paired run's trusted process; then exitCode and signal are the candidate's, and only when it ended first. */
  trusted?: TrustedRecord;
}

export type Frame =
  | { kind: 'hello'; protocol: number; cgroup: string; oomCounter: boolean; landlock: boolean }
  | { kind: 'ok' }
  | { kind: 'error'; message: string }
  | { kind: 'result'; record: RunRecord };

export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

function blob(value: Buffer | string): Buffer[] {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return [Buffer.from(`${bytes.length}\n`, 'ascii'), bytes];
}

export function encodeFile(path: string, content: Buffer | string, mode = 0o644): Buffer {
  return Buffer.concat([Buffer.from(`FILE mode=${mode.toString(8)}\n`, 'ascii'), ...blob(path), ...blob(content)]);
}

/**
 * Hands the sandbox to the next candidate, running as `uid` from now on: the
 * supervisor kills every process, empties the program directory and scratch
 * space, and unseals the box. A uid outside 1000..2147483647 is refused (ERR)
 * and changes nothing.
 */
export function encodeReset(uid: number): Buffer {
  if (!Number.isSafeInteger(uid) || uid < 0) throw new RangeError(`not a uid: ${uid}`);
  return Buffer.from(`RESET uid=${uid}\n`, 'ascii');
}

export function encodeRun(req: RunRequest): Buffer {
  const env = Object.entries(req.env).map(([k, v]) => `${k}=${v}`);
  const trusted = req.trusted;
  if (trusted && (req.phase !== 'test' || trusted.argv.length === 0)) throw new RangeError('only a test with a command is paired');
  const trustedEnv = trusted ? Object.entries(trusted.env).map(([k, v]) => `${k}=${v}`) : [];
  const header =
    `RUN phase=${req.phase} cpu_ms=${Math.ceil(req.cpuTimeMs)} wall_ms=${Math.ceil(req.wallTimeMs)}` +
    ` output_bytes=${req.outputBytes} kill_on_output=${req.killOnOutput ? 1 : 0}` +
    ` fsize_bytes=${req.fileSizeBytes} nofile=${req.openFiles} stack_bytes=${req.stackBytes}` +
    ` argc=${req.argv.length} envc=${env.length}` +
    (trusted ? ` trusted_argc=${trusted.argv.length} trusted_envc=${trustedEnv.length}` : '') +
    '\n';
  return Buffer.concat([
    Buffer.from(header, 'ascii'),
    ...req.argv.flatMap((a) => blob(a)),
    ...env.flatMap((e) => blob(e)),
    ...blob(req.stdin),
    ...(trusted ? [...trusted.argv.flatMap((a) => blob(a)), ...trustedEnv.flatMap((e) => blob(e)), ...blob(trusted.stdin)] : []),
  ]);
}

function fields(line: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of line.split(' ').slice(1)) {
    const eq = part.indexOf('=');
    if (eq > 0) map.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return map;
}

function int(map: Map<string, string>, key: string): number {
  const raw = map.get(key);
  if (raw === undefined || !/^-?\d+$/.test(raw)) throw new ProtocolError(`result lacks a numeric ${key}`);
  return Number(raw);
}

/** Longest header line the supervisor writes; a stream without a newline by then is not speaking the protocol. */
const MAX_LINE_BYTES = 8192;

/** Bytes received and not yet parsed, as the chunks they came in: nothing is copied until a frame takes it. */
class ByteQueue {
  private chunks: Buffer[] = [];
  /** Index of the first chunk still holding unread bytes, and the offset of the first such byte in it. */
  private head = 0;
  private offset = 0;
  length = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** Position of the first newline at or after `from` (relative to the first unread byte), or -1. */
  indexOfNewline(from: number): number {
    let base = 0;
    for (let i = this.head; i < this.chunks.length; i++) {
      const chunk = this.chunks[i]!;
      const start = i === this.head ? this.offset : 0;
      const size = chunk.length - start;
      if (from < base + size) {
        const at = chunk.indexOf(0x0a, start + Math.max(0, from - base));
        if (at >= 0) return base + at - start;
      }
      base += size;
    }
    return -1;
  }

  /** Copies the next `n` bytes into `target` at `at`, consuming them; returns how many were copied. */
  copyInto(target: Buffer, at: number, n: number): number {
    let copied = 0;
    while (copied < n && this.head < this.chunks.length) {
      const chunk = this.chunks[this.head]!;
      const take = Math.min(n - copied, chunk.length - this.offset);
      chunk.copy(target, at + copied, this.offset, this.offset + take);
      copied += take;
      this.offset += take;
      if (this.offset === chunk.length) {
        this.head++;
        this.offset = 0;
      }
    }
    this.length -= copied;
    // Drop consumed chunks now and then, so a long stream of small chunks keeps a short array.
    if (this.head > 64 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
    return copied;
  }

  /** The next `n` bytes as one buffer, consumed. */
  take(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    this.copyInto(out, 0, n);
    return out;
  }
}

/** A frame whose header is read and whose `body` bytes are still arriving. */
interface PendingBody {
  body: Buffer;
  filled: number;
  finish(body: Buffer): Frame;
}

/**
 * Incremental parser: feed it chunks, take complete frames. Kept free of
 * streams so it can be tested byte by byte. Linear in the bytes fed, however
 * they are split: a header line is scanned once, and a frame's captured output
 * is copied once into a buffer of the length its header announced.
 */
export class FrameParser {
  private readonly queue = new ByteQueue();
  /** Bytes already searched for the current line's newline. */
  private scanned = 0;
  /** After an ERR line: its message length line comes next. */
  private errorLength = false;
  private pending: PendingBody | undefined;

  push(chunk: Buffer): void {
    this.queue.push(chunk);
  }

  /** The next complete frame, or undefined when more bytes are needed. */
  take(): Frame | undefined {
    for (;;) {
      if (this.pending) {
        const p = this.pending;
        p.filled += this.queue.copyInto(p.body, p.filled, p.body.length - p.filled);
        if (p.filled < p.body.length) return undefined;
        this.pending = undefined;
        return p.finish(p.body);
      }
      const line = this.line();
      if (line === undefined) return undefined;
      if (this.errorLength) {
        this.errorLength = false;
        const len = Number(line);
        if (!Number.isSafeInteger(len) || len < 0) throw new ProtocolError('bad error length');
        this.expect(len, (body) => ({ kind: 'error', message: body.toString('utf8') }));
        continue;
      }
      const verb = line.split(' ', 1)[0];
      switch (verb) {
        case 'HELLO': {
          const f = fields(line);
          return { kind: 'hello', protocol: int(f, 'proto'), cgroup: f.get('cgroup') ?? 'none', oomCounter: f.get('oom_counter') === '1', landlock: f.get('landlock') === '1' };
        }
        case 'OK':
          return { kind: 'ok' };
        case 'ERR':
          this.errorLength = true;
          continue;
        case 'RESULT':
          this.expectResult(fields(line));
          continue;
        default:
          throw new ProtocolError(`unexpected frame ${JSON.stringify(line.slice(0, 40))}`);
      }
    }
  }

  /** The next line without its newline, consumed; undefined until its newline has arrived. */
  private line(): string | undefined {
    const nl = this.queue.indexOfNewline(this.scanned);
    if (nl < 0) {
      if (this.queue.length > MAX_LINE_BYTES) throw new ProtocolError('header line too long');
      this.scanned = this.queue.length;
      return undefined;
    }
    this.scanned = 0;
    return this.queue.take(nl + 1).toString('ascii', 0, nl);
  }

  private expect(bytes: number, finish: (body: Buffer) => Frame): void {
    this.pending = { body: Buffer.allocUnsafe(bytes), filled: 0, finish };
  }

  private expectResult(f: Map<string, string>): void {
    const stdoutLen = int(f, 'stdout_len');
    const stderrLen = int(f, 'stderr_len');
    if (stdoutLen < 0 || stderrLen < 0) throw new ProtocolError('negative output length');
    const reason = f.get('reason') as KillReason;
    if (!killReasons.includes(reason)) throw new ProtocolError(`unknown kill reason ${String(reason)}`);
    const exit = int(f, 'exit');
    const signal = int(f, 'signal');
    const oomKills = int(f, 'oom_kills');
    const head = {
      exitCode: exit >= 0 && signal === 0 ? exit : null,
      signal: signal > 0 ? signal : null,
      cpuTimeMs: int(f, 'cpu_us') / 1000,
      wallTimeMs: int(f, 'wall_us') / 1000,
      peakMemoryBytes: int(f, 'rss_kb') * 1024,
      oomKills: oomKills >= 0 ? oomKills : null,
      reason,
      execErrno: int(f, 'exec_errno'),
      boxBytes: f.has('box_bytes') ? int(f, 'box_bytes') : 0,
    };
    const stdoutTruncated = f.get('stdout_truncated') === '1';
    const stderrTruncated = f.get('stderr_truncated') === '1';
    const paired = f.get('trusted') === '1';
    const trustedLen = paired ? int(f, 'trusted_len') : 0;
    if (trustedLen < 0) throw new ProtocolError('negative output length');
    const trustedExit = paired ? int(f, 'trusted_exit') : 0;
    const trustedSignal = paired ? int(f, 'trusted_signal') : 0;
    const failedToStart = paired && f.get('trusted_failure') !== '0';
    const outputTruncated = f.get('trusted_truncated') === '1';
    this.expect(stdoutLen + stderrLen + trustedLen, (body) => ({
      kind: 'result',
      record: {
        ...head,
        stdout: body.subarray(0, stdoutLen),
        stdoutTruncated,
        stderr: body.subarray(stdoutLen, stdoutLen + stderrLen),
        stderrTruncated,
        ...(paired
          ? {
              trusted: {
                exitCode: trustedExit >= 0 && trustedSignal === 0 ? trustedExit : null,
                signal: trustedSignal > 0 ? trustedSignal : null,
                failedToStart,
                output: body.subarray(stdoutLen + stderrLen),
                outputTruncated,
              },
            }
          : {}),
      },
    }));
  }
}

/** Frames from a stream, one at a time, in order. */
export class FrameReader {
  private readonly parser = new FrameParser();
  private readonly ready: Frame[] = [];
  private waiter: { resolve: (f: Frame) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;

  constructor(stream: Readable) {
    stream.on('data', (chunk: Buffer) => {
      try {
        this.parser.push(chunk);
        for (let frame = this.parser.take(); frame; frame = this.parser.take()) this.ready.push(frame);
      } catch (err) {
        this.fail(err as Error);
        return;
      }
      this.deliver();
    });
    stream.on('end', () => this.fail(new ProtocolError('the supervisor closed its output')));
    stream.on('close', () => this.fail(new ProtocolError('the supervisor closed its output')));
    stream.on('error', (err) => this.fail(err));
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.deliver();
  }

  private deliver(): void {
    if (!this.waiter) return;
    const frame = this.ready.shift();
    if (frame) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve(frame);
    } else if (this.failure) {
      const w = this.waiter;
      this.waiter = undefined;
      w.reject(this.failure);
    }
  }

  next(): Promise<Frame> {
    if (this.waiter) return Promise.reject(new ProtocolError('concurrent reads of the frame stream'));
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.deliver();
    });
  }
}
