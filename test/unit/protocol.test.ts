import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { encodeFile, encodeReset, encodeRun, FrameParser, FrameReader, PROTOCOL_VERSION } from '../../src/sandbox/protocol.js';

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
    const bytes = Buffer.concat([Buffer.from('HELLO proto=1 cgroup=v1 oom_counter=1\nOK\nERR\n5\nnope!'), result('out\n', 'err')]);
    const parser = new FrameParser();
    const frames = [];
    for (const byte of bytes) {
      parser.push(Buffer.from([byte]));
      for (let f = parser.take(); f; f = parser.take()) frames.push(f);
    }
    assert.deepEqual(frames.map((f) => f.kind), ['hello', 'ok', 'error', 'result']);
    assert.deepEqual(frames[0], { kind: 'hello', protocol: 1, cgroup: 'v1', oomCounter: true });
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

  it('speaks protocol 3, the first that reports a run before wiping after it', () => {
    assert.equal(PROTOCOL_VERSION, 3);
  });
});
