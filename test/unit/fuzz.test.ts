/**
 * Bad input never crashes the service: whatever arrives gets a 4xx with a
 * message, never a 5xx, and the service keeps answering.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { buildApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { DockerEngine } from '../../src/sandbox/docker-engine.js';
import { ROOT_DIR } from '../../src/paths.js';
import { mutate, Rng, type JsonSchema } from '../helpers/schema-fuzz.js';

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

  describe('every POST route, from openapi/openapi.json', () => {
    const document = JSON.parse(readFileSync(path.join(ROOT_DIR, 'openapi', 'openapi.json'), 'utf8')) as {
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: JsonSchema }> } }>>;
    };
    const routes = Object.entries(document.paths).flatMap(([url, methods]) => {
      const schema = methods.post?.requestBody?.content['application/json']?.schema;
      return schema ? [{ url, schema }] : [];
    });
    const CASES_PER_ROUTE = 500;

    it('finds the routes', () => {
      assert.deepEqual(routes.map((r) => r.url).sort(), ['/api/v2/execute', '/run_code', '/v1/batch', '/v1/label', '/v1/reward', '/v1/submissions']);
    });

    for (const { url, schema } of routes) {
      it(`${url}: ${CASES_PER_ROUTE} seeded mutations get a 4xx, or what a missing Docker causes, never a 500`, async () => {
        const r = new Rng(20261203 + url.length);
        for (let i = 0; i < CASES_PER_ROUTE; i++) {
          const mutant = mutate(schema, r);
          const ndjson = r.chance(0.5);
          const res = await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', accept: ndjson ? 'application/x-ndjson' : 'application/json' }, payload: mutant.body });
          const what = `${url} case ${i} (${mutant.what}): HTTP ${res.statusCode} ${res.body.slice(0, 300)}; sent ${mutant.body.slice(0, 300)}`;
          assertNoFault(url, res.statusCode, res.body, what);
          if (mutant.invalid) assert.ok(res.statusCode >= 400 && res.statusCode < 500, `invalid by the schema, yet ${what}`);
        }
      });
    }
  });

  it('keeps serving afterwards', async () => {
    assert.equal((await app.inject('/healthz')).statusCode, 200);
    assert.equal((await app.inject('/v1/languages')).statusCode, 200);
  });
});

/**
 * What bad input may get: a 4xx that says what is wrong. Where the input is good enough to need
 * a sandbox, the missing engine's typed, retryable error (503, or 504 on /run_code as
 * SandboxFusion's clients expect), or a 200 whose items carry it. Never a 500.
 */
function assertNoFault(url: string, status: number, body: string, what: string): void {
  assert.notEqual(status, 500, what);
  if (status >= 400 && status < 500) {
    const parsed = JSON.parse(body) as { message?: string; retryable?: boolean; detail?: unknown[] };
    if (url === '/run_code') assert.ok(Array.isArray(parsed.detail) && parsed.detail.length > 0, what);
    else {
      assert.ok(typeof parsed.message === 'string' && parsed.message.length > 0, what);
      assert.equal(parsed.retryable, false, what);
    }
  } else if (status === 503) {
    assert.equal((JSON.parse(body) as { code: string }).code, 'VERDICT_DOCKER_UNAVAILABLE', what);
  } else if (status === 504) {
    assert.equal(url, '/run_code', what);
    assert.match((JSON.parse(body) as { message: string }).message, /^VERDICT_DOCKER_UNAVAILABLE:/, what);
  } else {
    assert.equal(status, 200, what);
    // A stream that failed after it started would end without its summary.
    const lines = body.trim().split('\n').map((l) => JSON.parse(l) as { type?: string; summary?: unknown });
    const last = lines.at(-1)!;
    assert.ok(last.type === 'summary' || last.summary !== undefined || url === '/v1/label' || url === '/api/v2/execute', what);
  }
}
