/**
 * Connections are bounded: a client trickling its headers or its body is cut, one that stops
 * reading its answer is cut, one address cannot hold more than its share of connections, and
 * none of it delays /healthz. A real listening server on loopback; no Docker is needed.
 *
 * Every attacker connects from its own loopback address (127.0.0.0/8 is all loopback on
 * Linux), so the per-address cap of one test does not see the sockets of another, and /healthz
 * is probed from an address no attacker uses.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { DockerEngine } from '../../src/sandbox/docker-engine.js';
import { MAX_REQUESTS_IN_FLIGHT_PER_CONNECTION } from '../../src/http/connections.js';
import { until } from '../helpers/wait.js';

const HEADERS_TIMEOUT_MS = 1_500;
const REQUEST_TIMEOUT_MS = 3_000;
const SEND_TIMEOUT_MS = 2_000;
const MAX_PER_ADDRESS = 4;
/** Node checks the receive timeouts once a second (app.ts): a cut may come that much later. */
const CHECK_SLACK_MS = 1_500;
const HEALTHZ_BOUND_MS = 100;
const PROBE_ADDRESS = '127.0.0.2';

let app: FastifyInstance;
let port: number;

before(async () => {
  const config = parseConfig(
    {
      LOG_LEVEL: 'silent',
      VERDICT_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      VERDICT_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      VERDICT_SEND_TIMEOUT_MS: String(SEND_TIMEOUT_MS),
      VERDICT_MAX_CONNECTIONS_PER_ADDRESS: String(MAX_PER_ADDRESS),
    },
    { cpuCount: 2, randomId: 'connections-test' },
  );
  app = await buildApp({ config, engine: new DockerEngine({ dockerHost: 'unix:///nonexistent/docker.sock' }) });
  // Stand-ins for a long judging: no Docker here, and what is tested is the server, not a route.
  app.get('/test/quiet', async () => {
    await sleep(SEND_TIMEOUT_MS + CHECK_SLACK_MS);
    return { done: true };
  });
  // A 64 MiB answer written as fast as the client takes it.
  app.get('/test/big', (_request, reply) => {
    reply.raw.writeHead(200, { 'content-type': 'application/octet-stream' });
    const chunk = Buffer.alloc(1024 * 1024, 120);
    let left = 64;
    const more = () => {
      while (left > 0) {
        left--;
        if (!reply.raw.write(chunk)) return void reply.raw.once('drain', more);
      }
      reply.raw.end();
    };
    more();
  });
  app.get('/test/stream', (_request, reply) => {
    reply.raw.writeHead(200, { 'content-type': 'application/x-ndjson' });
    let n = 0;
    const timer = setInterval(() => {
      reply.raw.write(`{"line":${n}}\n`);
      if (++n === 4) {
        clearInterval(timer);
        reply.raw.end();
      }
    }, (REQUEST_TIMEOUT_MS + SEND_TIMEOUT_MS) / 3);
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as net.AddressInfo).port;
});
after(() => app.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function connect(localAddress: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, localAddress });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** When the server closed the socket, ms after `since`, and what it sent before. */
function whenClosed(socket: net.Socket, since: number, boundMs: number): Promise<{ afterMs: number; received: string }> {
  return new Promise((resolve, reject) => {
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    // A reset is a close too; the attacker's view is the same.
    socket.on('error', () => undefined);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${boundMs} ms; received ${JSON.stringify(received.slice(0, 200))}`));
    }, boundMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ afterMs: performance.now() - since, received });
    });
  });
}

function get(path: string, localAddress: string): Promise<{ status: number; body: string; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, localAddress, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body, ms: performance.now() - t0 }));
    });
    req.on('error', reject);
  });
}

/** Probes /healthz every 100 ms until `stop` resolves; every answer must be a 200 within the bound. */
async function healthzThroughout<T>(attack: Promise<T>): Promise<T> {
  let done = false;
  const probes: Array<{ status: number; ms: number }> = [];
  const probing = (async () => {
    while (!done) {
      probes.push(await get('/healthz', PROBE_ADDRESS));
      await sleep(100);
    }
  })();
  try {
    return await attack;
  } finally {
    done = true;
    await probing;
    assert.ok(probes.length > 0);
    for (const p of probes) {
      assert.equal(p.status, 200);
      assert.ok(p.ms < HEALTHZ_BOUND_MS, `/healthz took ${p.ms.toFixed(1)} ms during the attack`);
    }
  }
}

/** Writes `text` one byte a second until the socket closes. */
function trickle(socket: net.Socket, text: string): void {
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || i >= text.length) return clearInterval(timer);
    socket.write(text[i++]!);
  }, 1_000);
  socket.once('close', () => clearInterval(timer));
}

describe('connection bounds', () => {
  it('cuts a client that trickles its headers one byte a second after the headers timeout', async () => {
    const socket = await connect('127.0.0.3');
    const started = performance.now();
    trickle(socket, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(100)}\r\n\r\n`);
    const { afterMs, received } = await healthzThroughout(whenClosed(socket, started, HEADERS_TIMEOUT_MS + CHECK_SLACK_MS + 1_000));
    assert.ok(afterMs >= HEADERS_TIMEOUT_MS - 50, `cut after ${afterMs} ms, before the headers timeout`);
    assert.match(received, /^HTTP\/1\.1 408 /);
    assert.match(received, /"code":"VERDICT_REQUEST_TIMEOUT"/);
  });

  it('answers headers over 16 KiB with a 431 in the service\'s error shape', async () => {
    const socket = await connect('127.0.0.11');
    socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`);
    const { received } = await whenClosed(socket, performance.now(), 5_000);
    assert.match(received, /^HTTP\/1\.1 431 /);
    assert.match(received, /\{"code":"VERDICT_INVALID_REQUEST","message":"[^"]+","retryable":false\}$/);
  });

  it('cuts a client that trickles its body one byte a second after the request timeout', async () => {
    const socket = await connect('127.0.0.4');
    const started = performance.now();
    const body = JSON.stringify({ language: 'python', source: 'print(1)' });
    socket.write(`POST /v1/submissions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    trickle(socket, body);
    const { afterMs, received } = await healthzThroughout(whenClosed(socket, started, REQUEST_TIMEOUT_MS + CHECK_SLACK_MS + 1_000));
    assert.ok(afterMs >= REQUEST_TIMEOUT_MS - 50, `cut after ${afterMs} ms, before the request timeout`);
    assert.match(received, /^HTTP\/1\.1 408 /);
  });

  it('takes a body sent at an honest pace even when it takes longer than the headers timeout', async () => {
    const socket = await connect('127.0.0.5');
    const body = JSON.stringify({ language: 'cobol', source: 'x'.repeat(64 * 1024) });
    socket.write(`POST /v1/submissions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n`);
    const pieces = 4;
    const step = Math.ceil(body.length / pieces);
    for (let i = 0; i < pieces; i++) {
      await sleep(HEADERS_TIMEOUT_MS / 2);
      socket.write(body.slice(i * step, (i + 1) * step));
    }
    const { received } = await whenClosed(socket, performance.now(), 5_000);
    // Read whole and judged on its merits: an unknown language, not a timeout.
    assert.match(received, /^HTTP\/1\.1 400 /);
    assert.match(received, /VERDICT_UNKNOWN_LANGUAGE/);
  });

  it('cuts a client that stops reading its answer after the send timeout', async () => {
    const before = await closedBy('send_timeout');
    const socket = await connect('127.0.0.6');
    socket.pause();
    socket.on('error', () => undefined);
    // The kernel's buffers fill, then the server's, and then nothing moves.
    const started = performance.now();
    socket.write('GET /test/big HTTP/1.1\r\nHost: x\r\n\r\n');
    // A client that does not read does not see the close either; the server's count does.
    await until('the server closed the connection', async () => (await closedBy('send_timeout')) > before, { timeoutMs: 20_000 });
    assert.ok(performance.now() - started >= SEND_TIMEOUT_MS - 50);
    socket.resume();
    await whenClosed(socket, performance.now(), 5_000);
  });

  it(`closes a connection that pipelines more than ${MAX_REQUESTS_IN_FLIGHT_PER_CONNECTION} requests, without handling those beyond`, async () => {
    const before = await closedBy('pipelining');
    const socket = await connect('127.0.0.10');
    const answered = await healthzThroughout(
      (async () => {
        // Not thousands: Node parses a whole 64 KiB read before anything can stop it (SECURITY.md, "Denial of service").
        socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(200));
        const { received } = await whenClosed(socket, performance.now(), 5_000);
        return received.split('HTTP/1.1 200').length - 1;
      })(),
    );
    assert.ok(answered <= MAX_REQUESTS_IN_FLIGHT_PER_CONNECTION, `${answered} pipelined requests answered`);
    assert.equal(await closedBy('pipelining'), before + 1);
  });

  it('keeps a connection whose request is being judged, however quiet, and a stream longer than every timeout', async () => {
    const quiet = await get('/test/quiet', '127.0.0.7');
    assert.equal(quiet.status, 200);
    assert.ok(quiet.ms > SEND_TIMEOUT_MS);
    const stream = await get('/test/stream', '127.0.0.7');
    assert.equal(stream.status, 200);
    assert.equal(stream.body.trim().split('\n').length, 4);
    assert.ok(stream.ms > REQUEST_TIMEOUT_MS + SEND_TIMEOUT_MS);
  });

  it(`closes connection ${MAX_PER_ADDRESS + 1} from one address, and frees a place when one closes`, async () => {
    const address = '127.0.0.8';
    const before = await closedBy('address_cap');
    const held: net.Socket[] = [];
    for (let i = 0; i < MAX_PER_ADDRESS; i++) {
      const socket = await connect(address);
      held.push(socket);
      // Keep-alive: answered, and still open.
      socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    }
    await healthzThroughout(
      (async () => {
        const extra = await connect(address);
        extra.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
        const { received } = await whenClosed(extra, performance.now(), 2_000);
        assert.equal(received, '', 'a refused connection gets no answer');
      })(),
    );
    assert.equal(await closedBy('address_cap'), before + 1);
    // Another address is not affected, and a place freed is taken again.
    assert.equal((await get('/healthz', '127.0.0.9')).status, 200);
    held.pop()!.destroy();
    await sleep(100);
    assert.equal((await get('/healthz', address)).status, 200);
    for (const s of held) s.destroy();
  });
});

async function closedBy(reason: string): Promise<number> {
  const metric = await app.metrics.registry.getSingleMetric('verdict_connections_closed_total')?.get();
  return metric?.values.find((v) => v.labels.reason === reason)?.value ?? 0;
}
