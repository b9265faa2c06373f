/**
 * Bad input never crashes the service: whatever arrives gets a 4xx with a
 * message, never a 5xx, and the service keeps answering.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { buildApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { DockerEngine } from '../../src/sandbox/docker-engine.js';

const config = parseConfig({ LOG_LEVEL: 'silent', VERDICT_BODY_LIMIT_BYTES: String(4 * 1024 * 1024), VERDICT_MAX_TESTS: '1000' }, { cpuCount: 2, randomId: 'fuzz' });
// No engine: every input here must be refused before a sandbox is needed.
const app = await buildApp({ config, engine: new DockerEngine({ dockerHost: 'unix:///nonexistent/docker.sock' }) });
await app.ready();
after(() => app.close());

async function send(payload: string | Buffer, contentType = 'application/json') {
  const res = await app.inject({ method: 'POST', url: '/v1/submissions', headers: { 'content-type': contentType }, payload });
  return res;
}

function assertRefused(res: Awaited<ReturnType<typeof send>>, what: string) {
  assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${what}: HTTP ${res.statusCode} ${res.body.slice(0, 300)}`);
  const body = res.json<{ code: string; message: string; retryable: boolean }>();
  assert.ok(body.message.length > 0, `${what}: no message`);
  assert.equal(body.retryable, false);
}

// A small deterministic generator, so a failure reproduces.
function* rng(seed: number): Generator<number> {
  let x = seed >>> 0 || 1;
  for (;;) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    yield (x >>> 0) / 2 ** 32;
  }
}

function randomValue(r: Generator<number>, depth = 0): unknown {
  const k = r.next().value as number;
  if (depth > 4 || k < 0.2) return Math.floor((r.next().value as number) * 2e9) - 1e9;
  if (k < 0.35) return 'x'.repeat(Math.floor((r.next().value as number) * 50));
  if (k < 0.45) return null;
  if (k < 0.55) return true;
  if (k < 0.75) return Array.from({ length: Math.floor((r.next().value as number) * 4) }, () => randomValue(r, depth + 1));
  const keys = ['language', 'source', 'files', 'tests', 'checker', 'limits', 'stdin', 'expectedStdout', 'timeMs', 'path', 'content', 'mode', 'id', '__proto__', 'constructor'];
  return Object.fromEntries(Array.from({ length: Math.floor((r.next().value as number) * 5) }, () => [keys[Math.floor((r.next().value as number) * keys.length)]!, randomValue(r, depth + 1)]));
}

describe('HTTP fuzzing', () => {
  it('malformed JSON of every kind', async () => {
    for (const payload of ['', '{', '}', '[]', 'null', '"string"', '42', '{"language":', '{"language": "python",}', '\u0000', '{"a":1}{"b":2}', 'NaN', '{"source": "\\ud800"}']) {
      assertRefused(await send(payload), JSON.stringify(payload));
    }
  });

  it('invalid UTF-8 bytes', async () => {
    const bytes = Buffer.concat([Buffer.from('{"language":"python","source":"'), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from('"}')]);
    const res = await send(bytes);
    // Decoded with replacement characters, it is a valid request for a program: a sandbox is needed.
    assert.ok(res.statusCode === 400 || res.statusCode === 503, `HTTP ${res.statusCode}`);
  });

  it('deeply nested values', async () => {
    for (const depth of [1_000, 100_000]) {
      assertRefused(await send(`{"language":"python","source":"x","tests":${'['.repeat(depth)}${']'.repeat(depth)}}`), `arrays ${depth} deep`);
      assertRefused(await send(`{"language":"python","source":"x","limits":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`), `objects ${depth} deep`);
    }
  });

  it('huge values and too many tests', async () => {
    assertRefused(await send(JSON.stringify({ language: 'python', source: 'x'.repeat(5 * 1024 * 1024) })), 'a source over the body limit');
    assertRefused(await send(JSON.stringify({ language: 'python', source: 'x', tests: Array.from({ length: 5000 }, () => ({})) })), '5000 tests');
    assertRefused(await send(JSON.stringify({ language: 'x'.repeat(100_000), source: 'x' })), 'a huge language name');
    assertRefused(await send(JSON.stringify({ language: 'python', source: 'x', limits: { timeMs: 1e308 } })), 'a huge limit');
    assertRefused(await send(JSON.stringify({ language: 'python', source: 'x', limits: { timeMs: 1.5 } })), 'a fractional limit');
  });

  it('random structures', async () => {
    const r = rng(20261125);
    for (let i = 0; i < 500; i++) {
      const value = randomValue(r);
      const res = await send(JSON.stringify(value));
      assert.ok(res.statusCode < 500 || res.statusCode === 503, `case ${i}: HTTP ${res.statusCode} for ${JSON.stringify(value).slice(0, 300)}`);
      if (res.statusCode === 503) assert.equal(res.json<{ code: string }>().code, 'VERDICT_DOCKER_UNAVAILABLE');
    }
  });

  it('random bytes', async () => {
    for (let i = 0; i < 200; i++) assertRefused(await send(randomBytes(1 + (i % 64) * 37)), `random bytes ${i}`);
  });

  it('keeps serving afterwards', async () => {
    assert.equal((await app.inject('/healthz')).statusCode, 200);
    assert.equal((await app.inject('/v1/languages')).statusCode, 200);
  });
});
