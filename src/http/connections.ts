/**
 * The HTTP server and the bounds on its connections, so that no client holds one open for
 * nothing or makes one cost more than its share: receive timeouts, a timeout on answers the
 * client does not read, a cap on the connections of one client address and on the requests
 * one connection has in flight. Fastify builds on this server (its serverFactory, in app.ts).
 */
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** Why Verdict closed a connection itself (receive timeouts are answered with a 408 instead). */
export const connectionCloseReasons = ['address_cap', 'send_timeout', 'pipelining'] as const;
export type ConnectionCloseReason = (typeof connectionCloseReasons)[number];

export interface ConnectionBounds {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  sendTimeoutMs: number;
  /** Connections one remote address may hold open at once; 0 means no cap. */
  maxConnectionsPerAddress: number;
  /** Told of every connection closed here, for metrics. */
  onClose(reason: ConnectionCloseReason): void;
}

/** Above the balancer's keep-alive (deploy/lb/haproxy.cfg, 60 s): it, not we, closes idle ones. */
export const KEEP_ALIVE_TIMEOUT_MS = 72_000;

/** Node checks the receive timeouts this often (its default, 30 s, would let them run late by that much). */
const CONNECTIONS_CHECKING_INTERVAL_MS = 1_000;

/**
 * Requests one connection may have in flight at once (HTTP pipelining). Node parses every
 * request of a chunk before it can pause reading, and each waiting answer is held whole in
 * memory: 2,000 pipelined GET /docs/json on each of 4 connections grew the process by 1.4 GiB.
 * Clients pipeline rarely and shallowly (browsers never; undici only when asked). One request
 * more closes the connection, and the requests queued behind it are not handled.
 */
export const MAX_REQUESTS_IN_FLIGHT_PER_CONNECTION = 16;

export function createBoundedServer(bounds: ConnectionBounds, handler: (req: IncomingMessage, res: ServerResponse) => void): Server {
  const inFlight = new WeakMap<Socket, number>();
  // Receiving is bounded by Node: the headers within headersTimeoutMs of a request's first byte
  // (of the connection's, for its first request), the whole request, body included, within
  // requestTimeoutMs; past either it answers 408 (clientError below) and closes. Neither covers
  // the answer: Node stops counting once the request is received, so a long batch stream is
  // never cut by them.
  const server = http.createServer(
    { headersTimeout: bounds.headersTimeoutMs, requestTimeout: bounds.requestTimeoutMs, connectionsCheckingInterval: CONNECTIONS_CHECKING_INTERVAL_MS },
    (req, res) => {
      const socket = req.socket;
      // Closed for pipelining too deep: what it had queued is not worth an answer.
      if (socket.destroyed) return;
      const count = (inFlight.get(socket) ?? 0) + 1;
      inFlight.set(socket, count);
      res.once('close', () => inFlight.set(socket, inFlight.get(socket)! - 1));
      if (count > MAX_REQUESTS_IN_FLIGHT_PER_CONNECTION) {
        bounds.onClose('pipelining');
        socket.destroy();
        return;
      }
      handler(req, res);
    },
  );
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  if (bounds.maxConnectionsPerAddress > 0) capPerAddress(server, bounds.maxConnectionsPerAddress, () => bounds.onClose('address_cap'));

  // The socket timeout fires after sendTimeoutMs without a byte moving either way. That is the
  // client's doing when it does not read what we wrote (bytes wait in the socket's buffer), or
  // when no request of it is in flight (Node's keep-alive timeout arrives here too); then the
  // connection is closed. While a request is in flight and nothing waits to be sent, Verdict is
  // judging: a long submission, or a batch between two lines, is not the client's stall and the
  // request's own time bounds it, so the connection stays. The timer rearms on the next byte.
  server.setTimeout(bounds.sendTimeoutMs);
  // With a listener here, Node no longer destroys a timed-out socket itself.
  server.on('timeout', (socket: Socket) => {
    if ((inFlight.get(socket) ?? 0) > 0 && socket.writableLength === 0) return;
    if (socket.writableLength > 0) bounds.onClose('send_timeout');
    socket.destroy();
  });
  return server;
}

/**
 * Past the cap, a new connection is closed at once, before a byte of it is read: nothing it
 * sends reaches a handler, and answering would mean reading it first.
 */
function capPerAddress(server: Server, max: number, refused: () => void): void {
  const open = new Map<string, number>();
  // Before the HTTP server's own listener: a refused socket never gets a parser.
  server.prependListener('connection', (socket: Socket) => {
    const address = socket.remoteAddress;
    // Undefined only for a socket already gone; Node cleans that up.
    if (address === undefined) return;
    const count = open.get(address) ?? 0;
    if (count >= max) {
      refused();
      socket.destroy();
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = open.get(address)! - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
}

/**
 * What a client whose request could not be read is told, in Verdict's error shape: a receive
 * timeout (408), headers over Node's 16 KiB (431), anything unparsable (400). Then it is closed.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection, or one closed here: nobody to tell.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'VERDICT_REQUEST_TIMEOUT', 'the request was not received in time (VERDICT_HEADERS_TIMEOUT_MS, VERDICT_REQUEST_TIMEOUT_MS)']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'VERDICT_INVALID_REQUEST', 'the request headers exceed 16 KiB']
        : [400, 'VERDICT_INVALID_REQUEST', 'the request is not valid HTTP'];
  const body = JSON.stringify({ code, message, retryable: false });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
