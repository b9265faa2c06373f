import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { killReasons, type KillReason } from '../../src/domain/vocabulary.js';
import { encodeFile, encodeReset, encodeRun, FrameParser, FrameReader, PROTOCOL_VERSION, ProtocolError, type Frame, type RunRecord } from '../../src/sandbox/protocol.js';

const result = (stdout: string, stderr: string) =>
  Buffer.concat([
    Buffer.from(
      `RESULT exit=0 signal=0 cpu_us=1500 wall_us=2500 rss_kb=1024 oom_kills=0 reason=none exec_errno=0 stdout_len=${Buffer.byteLength(stdout)} stdout_truncated=0 stderr_len=${Buffer.byteLength(stderr)} stderr_truncated=1\n`,
    ),
    Buffer.from(stdout),
    Buffer.from(stderr),
  ]);

describe('frame parser', () => {
  it('parses frames fed one byte at a time', () => {
    const bytes = Buffer.concat([Buffer.from('HELLO proto=1 cgroup=v1 oom_counter=1 landlock=1\nOK\nERR\n5\nnope!'), result('out\n', 'err')]);
    const parser = new FrameParser();
    const frames = [];
    for (const byte of bytes) {
      parser.push(Buffer.from([byte]));
      for (let f = parser.take(); f; f = parser.take()) frames.push(f);
    }
    assert.deepEqual(frames.map((f) => f.kind), ['hello', 'ok', 'error', 'result']);
    assert.deepEqual(frames[0], { kind: 'hello', protocol: 1, cgroup: 'v1', oomCounter: true, landlock: true });
    assert.deepEqual(frames[2], { kind: 'error', message: 'nope!' });
    const r = frames[3]!.kind === 'result' ? frames[3]!.record : assert.fail('not a result');
    assert.equal(r.stdout.toString(), 'out\n');
    assert.equal(r.stderr.toString(), 'err');
    assert.equal(r.cpuTimeMs, 1.5);
    assert.equal(r.wallTimeMs, 2.5);
    assert.equal(r.peakMemoryBytes, 1024 * 1024);
    assert.equal(r.stderrTruncated, true);
    assert.equal(r.exitCode, 0);
    assert.equal(r.signal, null);
  });

  it('never reads framing inside captured output, whatever the program printed', () => {
    const forged = 'RESULT exit=0 signal=0 cpu_us=0 wall_us=0 rss_kb=0 oom_kills=0 reason=none exec_errno=0 stdout_len=0 stdout_truncated=0 stderr_len=0 stderr_truncated=0\n';
    const parser = new FrameParser();
    parser.push(Buffer.concat([result(forged, forged), Buffer.from('OK\n')]));
    const first = parser.take();
    assert.equal(first?.kind === 'result' && first.record.stdout.toString(), forged);
    assert.deepEqual(parser.take(), { kind: 'ok' });
    assert.equal(parser.take(), undefined);
  });

  it('reports a killed program as a signal, not an exit code', () => {
    const parser = new FrameParser();
    parser.push(Buffer.from('RESULT exit=-1 signal=9 cpu_us=0 wall_us=0 rss_kb=0 oom_kills=-1 reason=wall exec_errno=0 stdout_len=0 stdout_truncated=0 stderr_len=0 stderr_truncated=0\n'));
    const f = parser.take();
    assert.ok(f?.kind === 'result');
    assert.equal(f.record.exitCode, null);
    assert.equal(f.record.signal, 9);
    assert.equal(f.record.oomKills, null);
    assert.equal(f.record.reason, 'wall');
  });

  it('rejects unknown frames and reasons', () => {
    const parser = new FrameParser();
    parser.push(Buffer.from('HACK\n'));
    assert.throws(() => parser.take(), /unexpected frame/);
    const p2 = new FrameParser();
    p2.push(Buffer.from('RESULT exit=0 signal=0 cpu_us=0 wall_us=0 rss_kb=0 oom_kills=0 reason=bogus exec_errno=0 stdout_len=0 stdout_truncated=0 stderr_len=0 stderr_truncated=0\n'));
    assert.throws(() => p2.take(), /unknown kill reason/);
  });
});

/**
 * The parser as it was before framing was made linear (it concatenated the whole buffer with
 * every chunk): kept as the oracle its replacement must agree with.
 */
class QuadraticFrameParser {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
  }

  take(): Frame | undefined {
    const fields = (line: string) => {
      const map = new Map<string, string>();
      for (const part of line.split(' ').slice(1)) {
        const eq = part.indexOf('=');
        if (eq > 0) map.set(part.slice(0, eq), part.slice(eq + 1));
      }
      return map;
    };
    const int = (map: Map<string, string>, key: string) => {
      const raw = map.get(key);
      if (raw === undefined || !/^-?\d+$/.test(raw)) throw new ProtocolError(`result lacks a numeric ${key}`);
      return Number(raw);
    };
    const nl = this.buffer.indexOf(0x0a);
    if (nl < 0) {
      if (this.buffer.length > 8192) throw new ProtocolError('header line too long');
      return undefined;
    }
    const line = this.buffer.subarray(0, nl).toString('ascii');
    const rest = this.buffer.subarray(nl + 1);
    switch (line.split(' ', 1)[0]) {
      case 'HELLO': {
        const f = fields(line);
        this.buffer = rest;
        return { kind: 'hello', protocol: int(f, 'proto'), cgroup: f.get('cgroup') ?? 'none', oomCounter: f.get('oom_counter') === '1', landlock: f.get('landlock') === '1' };
      }
      case 'OK':
        this.buffer = rest;
        return { kind: 'ok' };
      case 'ERR': {
        const nl2 = rest.indexOf(0x0a);
        if (nl2 < 0) return undefined;
        const len = Number(rest.subarray(0, nl2).toString('ascii'));
        if (!Number.isSafeInteger(len) || len < 0) throw new ProtocolError('bad error length');
        if (rest.length < nl2 + 1 + len) return undefined;
        this.buffer = rest.subarray(nl2 + 1 + len);
        return { kind: 'error', message: rest.subarray(nl2 + 1, nl2 + 1 + len).toString('utf8') };
      }
      case 'RESULT': {
        const f = fields(line);
        const stdoutLen = int(f, 'stdout_len');
        const stderrLen = int(f, 'stderr_len');
        if (rest.length < stdoutLen + stderrLen) return undefined;
        const reason = f.get('reason') as KillReason;
        if (!killReasons.includes(reason)) throw new ProtocolError(`unknown kill reason ${String(reason)}`);
        const exit = int(f, 'exit');
        const signal = int(f, 'signal');
        const oomKills = int(f, 'oom_kills');
        const record: RunRecord = {
          exitCode: exit >= 0 && signal === 0 ? exit : null,
          signal: signal > 0 ? signal : null,
          cpuTimeMs: int(f, 'cpu_us') / 1000,
          wallTimeMs: int(f, 'wall_us') / 1000,
          peakMemoryBytes: int(f, 'rss_kb') * 1024,
          oomKills: oomKills >= 0 ? oomKills : null,
          reason,
          execErrno: int(f, 'exec_errno'),
          boxBytes: f.has('box_bytes') ? int(f, 'box_bytes') : 0,
          stdout: Buffer.from(rest.subarray(0, stdoutLen)),
          stdoutTruncated: f.get('stdout_truncated') === '1',
          stderr: Buffer.from(rest.subarray(stdoutLen, stdoutLen + stderrLen)),
          stderrTruncated: f.get('stderr_truncated') === '1',
        };
        this.buffer = rest.subarray(stdoutLen + stderrLen);
        return { kind: 'result', record };
      }
      default:
        throw new ProtocolError(`unexpected frame ${JSON.stringify(line.slice(0, 40))}`);
    }
  }
}

interface Parser {
  push(chunk: Buffer): void;
  take(): Frame | undefined;
}

/** Feeds `bytes` cut at `cuts` (ascending offsets), taking frames after every chunk as the reader does. */
function feed(parser: Parser, bytes: Buffer, cuts: Iterable<number>): Frame[] {
  const frames: Frame[] = [];
  let from = 0;
  for (const to of [...cuts, bytes.length]) {
    if (to <= from) continue;
    parser.push(bytes.subarray(from, to));
    from = to;
    for (let f = parser.take(); f; f = parser.take()) frames.push(f);
  }
  return frames;
}

/** Bytes moved by Buffer.concat and Buffer#copy while `fn` runs: the parser's copying work. */
function bytesCopied<T>(fn: () => T): { value: T; bytes: number } {
  const concat = Buffer.concat;
  const copy = Buffer.prototype.copy;
  let bytes = 0;
  Buffer.concat = function (list: readonly Uint8Array[], total?: number) {
    const out = concat.call(Buffer, list, total);
    bytes += out.length;
    return out;
  } as typeof Buffer.concat;
  Buffer.prototype.copy = function (this: Buffer, ...args: Parameters<Buffer['copy']>) {
    const n = copy.apply(this, args);
    bytes += n;
    return n;
  };
  try {
    return { value: fn(), bytes };
  } finally {
    Buffer.concat = concat;
    Buffer.prototype.copy = copy;
  }
}

const MiB = 1024 * 1024;

describe('frame parser at full size', () => {
  // A 16 MiB capture (the largest outputBytes) with frames around it, as a session sees them.
  const stdout = Buffer.alloc(12 * MiB, 'RESULT exit=0 0123456789\n');
  const stderr = Buffer.alloc(4 * MiB, 'ERR\n5\n');
  const stream = Buffer.concat([
    Buffer.from('OK\n'),
    Buffer.from(
      `RESULT exit=0 signal=0 cpu_us=1 wall_us=2 rss_kb=3 oom_kills=0 reason=output exec_errno=0 stdout_len=${stdout.length} stdout_truncated=1 stderr_len=${stderr.length} stderr_truncated=0 box_bytes=7\n`,
    ),
    stdout,
    stderr,
    Buffer.from('ERR\n5\nnope!OK\n'),
  ]);
  const expected = feed(new QuadraticFrameParser(), stream, []);

  it('agrees with the old parser on a 16 MiB frame in 64 KiB chunks, copying each byte about once', () => {
    const cuts = Array.from({ length: Math.ceil(stream.length / 65536) }, (_, i) => i * 65536);
    const { value: frames, bytes } = bytesCopied(() => feed(new FrameParser(), stream, cuts));
    assert.deepEqual(frames, expected);
    // The old parser copied 2 GiB here (the whole buffer again with each of 256 chunks).
    assert.ok(bytes <= 2 * stream.length, `${bytes} bytes copied for a ${stream.length}-byte stream`);
  });

  it('agrees with the old parser when the frames come a byte at a time', () => {
    // Every header byte, and the first and last 64 Ki bytes of the capture, alone; the rest in 64 KiB chunks.
    const bodyStart = stream.indexOf(0x0a, 3) + 1;
    const bodyEnd = bodyStart + stdout.length + stderr.length;
    const cuts: number[] = [];
    for (let i = 1; i < bodyStart + 65536; i++) cuts.push(i);
    for (let i = bodyStart + 65536; i < bodyEnd - 65536; i += 65536) cuts.push(i);
    for (let i = bodyEnd - 65536; i < stream.length; i++) cuts.push(i);
    const { value: frames, bytes } = bytesCopied(() => feed(new FrameParser(), stream, cuts));
    assert.deepEqual(frames, expected);
    assert.ok(bytes <= 2 * stream.length, `${bytes} bytes copied for a ${stream.length}-byte stream`);
  });

  it('agrees with the old parser on every split of a small stream', () => {
    const small = Buffer.concat([Buffer.from('HELLO proto=2 cgroup=v2 oom_counter=0\nOK\nERR\n3\nabc'), result('o\nut', 'e\nrr'), Buffer.from('OK\n')]);
    const whole = feed(new QuadraticFrameParser(), small, []);
    for (let a = 0; a < small.length; a++) {
      for (let b = a + 1; b < small.length; b += 7) assert.deepEqual(feed(new FrameParser(), small, [a, b]), whole, `cut at ${a} and ${b}`);
    }
  });

  it('still refuses a header line longer than 8 KiB fed in small chunks', () => {
    const parser = new FrameParser();
    assert.throws(() => feed(parser, Buffer.alloc(9000, 'A'), Array.from({ length: 900 }, (_, i) => i * 10)), /header line too long/);
  });
});

describe('frame reader', () => {
  it('rejects a pending read when the stream ends early', async () => {
    const stream = new PassThrough();
    const reader = new FrameReader(stream);
    stream.end(Buffer.from('OK\nRESULT exit=0'));
    assert.deepEqual(await reader.next(), { kind: 'ok' });
    await assert.rejects(reader.next(), /closed its output/);
  });
});

describe('request encoding', () => {
  it('length-prefixes every value, so any byte can be sent', () => {
    const file = encodeFile('a b/c.py', 'x\ny', 0o644);
    assert.equal(file.toString(), 'FILE mode=644\n8\na b/c.py3\nx\ny');
    const run = encodeRun({
      phase: 'test',
      argv: ['python3', 'main.py'],
      env: { A: '1' },
      stdin: Buffer.from('in\n'),
      cpuTimeMs: 1000.4,
      wallTimeMs: 2000,
      outputBytes: 10,
      killOnOutput: true,
      fileSizeBytes: 20,
      openFiles: 30,
      stackBytes: 40,
    });
    assert.equal(
      run.toString(),
      'RUN phase=test cpu_ms=1001 wall_ms=2000 output_bytes=10 kill_on_output=1 fsize_bytes=20 nofile=30 stack_bytes=40 argc=2 envc=1\n7\npython37\nmain.py3\nA=13\nin\n',
    );
  });

  it('encodes a reset as one header line carrying the next uid', () => {
    assert.equal(encodeReset(123_456).toString('ascii'), 'RESET uid=123456\n');
    assert.equal(encodeReset(2_147_483_647).toString('ascii'), 'RESET uid=2147483647\n');
    // Range checks are the supervisor's (it answers ERR): only what cannot be a number on the wire is refused here.
    assert.equal(encodeReset(0).toString('ascii'), 'RESET uid=0\n');
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) assert.throws(() => encodeReset(bad), RangeError);
  });

  it('speaks protocol 4, the first with paired runs', () => {
    assert.equal(PROTOCOL_VERSION, 4);
  });

  it('encodes a paired run: the trusted command, environment and stdin after the candidate\'s', () => {
    const base = { phase: 'test' as const, argv: ['python3', 'serve.py'], env: { A: '1' }, stdin: Buffer.alloc(0), cpuTimeMs: 1, wallTimeMs: 2, outputBytes: 3, killOnOutput: false, fileSizeBytes: 4, openFiles: 5, stackBytes: 6 };
    const wire = encodeRun({ ...base, trusted: { argv: ['python3', '-I', 'trust.py'], env: { B: '2', C: '3' }, stdin: Buffer.from('assert f() == 1') } }).toString('utf8');
    assert.match(wire, /^RUN phase=test .* argc=2 envc=1 trusted_argc=3 trusted_envc=2\n/);
    assert.ok(wire.endsWith('0\n7\npython32\n-I8\ntrust.py3\nB=23\nC=315\nassert f() == 1'), wire);
    assert.doesNotMatch(encodeRun(base).toString('utf8'), /trusted/);
    assert.throws(() => encodeRun({ ...base, phase: 'compile', trusted: { argv: ['x'], env: {}, stdin: Buffer.alloc(0) } }), RangeError);
  });

  it('decodes a paired result: the trusted output after stderr, out of the candidate\'s streams', () => {
    const head = (trusted: string) =>
      `RESULT exit=-1 signal=0 cpu_us=0 wall_us=0 rss_kb=0 oom_kills=0 reason=none exec_errno=0 box_bytes=0 stdout_len=3 stdout_truncated=0 stderr_len=2 stderr_truncated=0 ${trusted}\n`;
    const parser = new FrameParser();
    parser.push(Buffer.from(`${head('trusted=1 trusted_exit=0 trusted_signal=0 trusted_failure=0 trusted_len=6 trusted_truncated=1')}outerreport`));
    parser.push(Buffer.from(`${head('trusted=1 trusted_exit=-1 trusted_signal=9 trusted_failure=2 trusted_len=0 trusted_truncated=0')}outer`));
    parser.push(Buffer.from(`${head('trusted=0 trusted_exit=-1 trusted_signal=0 trusted_failure=0 trusted_len=0 trusted_truncated=0')}outer`));
    const records = [parser.take(), parser.take(), parser.take()].map((f) => (f?.kind === 'result' ? f.record : assert.fail('not a result')));
    assert.equal(records[0]!.stdout.toString(), 'out');
    assert.equal(records[0]!.stderr.toString(), 'er');
    assert.equal(records[0]!.exitCode, null);
    assert.deepEqual({ ...records[0]!.trusted, output: records[0]!.trusted?.output.toString() }, { exitCode: 0, signal: null, failedToStart: false, output: 'report', outputTruncated: true });
    assert.deepEqual({ ...records[1]!.trusted, output: '' }, { exitCode: null, signal: 9, failedToStart: true, output: '', outputTruncated: false });
    assert.equal(records[2]!.trusted, undefined);
  });
});
