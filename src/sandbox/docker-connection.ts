/**
 * The one place a dockerode client is made, and what its errors mean: shared by the
 * container engine and the image engine, so both reach the same endpoint the same way.
 */
import Docker from 'dockerode';
import { DockerUnavailableError, SandboxStartError, VerdictError } from '../errors.js';

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EACCES', 'EHOSTUNREACH', 'ENOTFOUND']);

export interface DockerConnectionOptions {
  /** Docker endpoint (unix://… or tcp://…); absent means dockerode's own defaults (DOCKER_HOST or the local socket). */
  dockerHost?: string | undefined;
}

export interface DockerErrorShape {
  statusCode?: number;
  code?: string;
  message?: string;
  json?: { message?: string };
}

export function connectDocker(options: DockerConnectionOptions): Docker {
  return options.dockerHost ? new Docker(modemOptions(options.dockerHost)) : new Docker();
}

/** Translate whatever dockerode threw into a typed Verdict error. */
export function dockerError(err: unknown, what: string): VerdictError {
  if (err instanceof VerdictError) return err;
  const e = (err ?? {}) as DockerErrorShape;
  const detail = e.json?.message ?? e.message ?? String(err);
  if (e.code && CONNECTION_CODES.has(e.code)) {
    return new DockerUnavailableError(`Docker is unreachable (${e.code}) while trying to ${what}`, { cause: err });
  }
  if (e.statusCode === undefined) {
    return new DockerUnavailableError(`Docker failed while trying to ${what}: ${detail}`, { cause: err });
  }
  return new SandboxStartError(`Docker refused to ${what}: ${detail}`, { cause: err });
}

function modemOptions(dockerHost: string): Docker.DockerOptions {
  if (dockerHost.startsWith('unix://')) return { socketPath: dockerHost.slice('unix://'.length) };
  const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
  return { host: url.hostname, port: Number(url.port || 2375), protocol: 'http' };
}
