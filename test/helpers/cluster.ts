/**
 * Driving a deployed cluster from the outside, as a client would: plain HTTP
 * through the balancer, retries on what the API marks retryable, and the
 * docker CLI for what an operator (or a failure) does to the containers.
 */
import { execFile } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { until } from './wait.js';

const execFileAsync = promisify(execFile);
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export async function run(file: string, args: readonly string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}) {
  const { stdout, stderr } = await execFileAsync(file, args, {
    cwd: ROOT,
    maxBuffer: 64 * 1024 * 1024,
    timeout: options.timeoutMs ?? 120_000,
    env: options.env ?? process.env,
  });
  return { stdout: stdout.trim(), stderr: stderr.trim() };
}

export const docker = (...args: string[]) => run('docker', args);

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * One HTTP exchange with node:http, not fetch: a published port with nothing
 * listening behind it accepts and drops connections, and Node 20's fetch can
 * then stay pending without keeping the event loop alive; node:http reports it.
 */
export function request(url: string, options: { method?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = http.request(
      url,
      {
        method: options.method ?? (payload === undefined ? 'GET' : 'POST'),
        headers: { ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }), ...options.headers },
        timeout: options.timeoutMs ?? 120_000,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${options.timeoutMs ?? 120_000} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** What the API and the balancer say may be tried again: the body says so, with a Retry-After. */
export function isRetryable(reply: Reply): boolean {
  if (![429, 502, 503, 504].includes(reply.status)) return false;
  try {
    return (JSON.parse(reply.body) as { retryable?: unknown }).retryable === true;
  } catch {
    return false;
  }
}

export interface Outcome {
  /** The final answer: a verdict (200) or, when attempts ran out, the last refusal. */
  reply: Reply;
  /** Every try before it: statuses, or the network error a client saw. */
  earlier: string[];
}

/**
 * POST until answered with something other than a retryable refusal: how a
 * well-behaved client (the Python client, an RL trainer) treats the API.
 * Network errors (a replica killed mid-request behind the balancer, the
 * balancer restarting) count as retryable, since judging has no side effects.
 */
export async function postWithRetry(url: string, body: unknown, options: { giveUpAfterMs?: number; timeoutMs?: number } = {}): Promise<Outcome> {
  const earlier: string[] = [];
  const giveUpAt = Date.now() + (options.giveUpAfterMs ?? 300_000);
  for (let attempt = 1; ; attempt++) {
    let reply: Reply | undefined;
    try {
      reply = await request(url, { body, timeoutMs: options.timeoutMs ?? 120_000 });
    } catch (err) {
      earlier.push((err as Error).message);
    }
    if (reply && !isRetryable(reply)) return { reply, earlier };
    if (Date.now() > giveUpAt) {
      if (reply) return { reply, earlier };
      throw new Error(`no answer after ${attempt} attempts: ${earlier.join('; ')}`);
    }
    if (reply) earlier.push(`${reply.status} retry-after=${String(reply.headers['retry-after'])}`);
    const waitS = Math.min(Number(reply?.headers['retry-after'] ?? 1) || 1, 5);
    await new Promise((r) => setTimeout(r, waitS * 1000));
  }
}

/** Waits for the balancer to answer /readyz with 200. */
export function waitReady(baseUrl: string, timeoutMs: number): Promise<true> {
  return until(`${baseUrl}/readyz`, async () => (await request(`${baseUrl}/readyz`, { timeoutMs: 5_000 })).status === 200, { timeoutMs, intervalMs: 500 });
}

/** Which replicas the balancer sends /readyz to over a few tries, by their x-verdict-instance. */
export async function inRotation(baseUrl: string): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < 6; i++) {
    const reply = await request(`${baseUrl}/readyz`, { timeoutMs: 5_000 });
    if (reply.status === 200) seen.add(String(reply.headers['x-verdict-instance']));
  }
  return seen;
}

/** Containers with every one of these labels (docker ps -a --filter label=…), as full ids; `status` narrows to one state. */
export async function containers(labels: readonly string[], dockerHost?: string, status?: string): Promise<string[]> {
  const args = [
    ...(dockerHost ? ['-H', dockerHost] : []),
    ...['ps', '-aq', '--no-trunc', ...labels.flatMap((l) => ['--filter', `label=${l}`])],
    ...(status ? ['--filter', `status=${status}`] : []),
  ];
  const { stdout } = await docker(...args);
  return stdout ? stdout.split('\n') : [];
}

export async function logsOf(container: string, tail = '60'): Promise<string> {
  try {
    const { stdout, stderr } = await execFileAsync('docker', ['logs', '--tail', tail, container], { maxBuffer: 64 * 1024 * 1024 });
    return `${stdout}${stderr}`.trim();
  } catch (err) {
    return `(no logs: ${(err as Error).message})`;
  }
}

/** A program that takes a while, so that load overlaps with what a test does to the cluster. */
export function slowDouble(seconds: number, n: number) {
  return {
    language: 'python',
    source: `import time\ntime.sleep(${seconds})\nprint(int(input()) * 2)\n`,
    tests: [{ stdin: `${n}\n`, expectedStdout: `${n * 2}\n` }],
    cache: false,
  };
}
