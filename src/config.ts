import { z } from 'zod';
import { MAX_DEADLINE_MS } from './domain/limits.js';
import { limitNames, type Limits } from './domain/vocabulary.js';
import { findLanguage, languageIds } from './languages/registry.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const HOUR_MS = 3600 * 1000;

const positiveInt = z.coerce.number().int().positive();

const limitEnvNames: Record<(typeof limitNames)[number], string> = {
  compileTimeMs: 'COMPILE_TIME_MS',
  compileMemoryBytes: 'COMPILE_MEMORY_BYTES',
  timeMs: 'TIME_MS',
  wallTimeMs: 'WALL_TIME_MS',
  memoryBytes: 'MEMORY_BYTES',
  outputBytes: 'OUTPUT_BYTES',
  processes: 'PROCESSES',
  totalWallTimeMs: 'TOTAL_WALL_TIME_MS',
};

export const builtinDefaultLimits: Limits = {
  compileTimeMs: 15_000,
  compileMemoryBytes: 1 * GiB,
  timeMs: 2_000,
  wallTimeMs: 5_000,
  memoryBytes: 256 * MiB,
  outputBytes: 1 * MiB,
  processes: 64,
  // A minute of tests: a hundred tests of an accepted solution fit; a candidate that times out
  // on every test of a thousand stops after a minute instead of after hours.
  totalWallTimeMs: 60_000,
};

export const builtinMaxLimits: Limits = {
  compileTimeMs: 60_000,
  compileMemoryBytes: 2 * GiB,
  timeMs: 30_000,
  wallTimeMs: 120_000,
  memoryBytes: 2 * GiB,
  outputBytes: 16 * MiB,
  processes: 512,
  totalWallTimeMs: 600_000,
};

export interface Config {
  host: string;
  port: number;
  logLevel: string;
  /** Docker endpoint; empty means dockerode's own defaults (DOCKER_HOST or the local socket). */
  dockerHost: string | undefined;
  /** Labels every container this process creates, so a restart can sweep what a crash left. */
  instanceId: string;
  /**
   * The container this process runs in, when it runs in one on the engine it drives (compose,
   * Swarm): sandboxes name it, so peers can remove the sandboxes of a replica that is gone for good.
   */
  parentContainer: string | undefined;
  /** How often to look for sandboxes whose parent container is gone; 0 turns it off. */
  reapIntervalMs: number;
  /** OCI runtime for sandboxes, e.g. runsc for gVisor; undefined keeps the engine default. */
  runtime: string | undefined;
  baseImage: string;
  defaultLimits: Limits;
  maxLimits: Limits;
  concurrency: number;
  /**
   * Places for programs waiting for a slot, across all requests; past it, 429. A request takes
   * at most `concurrency` places, however many programs it has waiting: the rest wait inside it.
   */
  queueLimit: number;
  maxBatchItems: number;
  /** The deadline of a many-item request (batch, reward, label) that gives none. */
  defaultDeadlineMs: number;
  /** The longest deadline a many-item request may ask for (400 beyond). */
  maxDeadlineMs: number;
  /** Idle warm sandboxes across all kinds; 0 turns the warm pool off. */
  poolMaxIdle: number;
  poolWindowMs: number;
  /** Languages to keep one sandbox warm for from boot, at the default limits. */
  poolPrewarm: string[];
  /** Whether one sandbox may serve several programs of the same request, each reset in between. */
  sandboxReuse: boolean;
  /** Programs one sandbox may serve (within a request and across requests) before it is replaced. */
  sandboxMaxUses: number;
  /**
   * Whether building images removes sandbox images of earlier folder contents. Off where
   * replicas of an older version share the engine during a rolling update: they still need theirs.
   */
  pruneStaleImages: boolean;
  /** Result cache size; 0 turns caching off. */
  cacheBytes: number;
  bodyLimitBytes: number;
  /** From a connection's (or a request's) first byte to the end of its headers; past it, 408 and closed. */
  headersTimeoutMs: number;
  /** To receive one whole request, headers and body; past it, 408 and closed. Answering is not included. */
  requestTimeoutMs: number;
  /** An answer the client takes no byte of for this long closes the connection (judging time does not count). */
  sendTimeoutMs: number;
  /** Connections one client address may hold open at once; 0 means no cap (behind a load balancer). */
  maxConnectionsPerAddress: number;
  maxTests: number;
  maxFiles: number;
  responseOutputBytes: number;
  /** Output (stdout, stderr, compiler output) one answer carries across all its results; the rest is cut, and flagged. */
  maxResponseBytes: number;
  /** Test results one JSON (not streamed) answer may hold: it is built whole in memory before the first byte goes out. */
  maxJsonAnswerTests: number;
  scratchBytes: number;
  /** Entries each sandbox tmpfs (/box, /tmp, /dev/shm) holds: bounds what a program can make the wipe after it visit. */
  scratchInodes: number;
  sandboxCpus: number;
  shutdownGraceMs: number;
  /**
   * How long start-up may take: sweeping an earlier run's sandboxes and probing each image's
   * toolchain version are Docker calls, slow when the engine is busy (a build beside it).
   */
  startupTimeoutMs: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function read<T>(env: NodeJS.ProcessEnv, name: string, schema: z.ZodType<T>, fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(`${name}=${JSON.stringify(raw)}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  }
  return parsed.data;
}

/** Pure: everything the service is configured by comes from `env`, parsed once at boot. */
export function parseConfig(env: NodeJS.ProcessEnv, facts: { cpuCount: number; randomId: string; containerId?: string | undefined }): Config {
  const defaultLimits = { ...builtinDefaultLimits };
  const maxLimits = { ...builtinMaxLimits };
  for (const name of limitNames) {
    maxLimits[name] = read(env, `VERDICT_MAX_${limitEnvNames[name]}`, positiveInt, maxLimits[name]);
    defaultLimits[name] = read(env, `VERDICT_DEFAULT_${limitEnvNames[name]}`, positiveInt, defaultLimits[name]);
    if (defaultLimits[name] > maxLimits[name]) {
      throw new ConfigError(
        `VERDICT_DEFAULT_${limitEnvNames[name]} (${defaultLimits[name]}) exceeds VERDICT_MAX_${limitEnvNames[name]} (${maxLimits[name]})`,
      );
    }
  }
  const queueLimit = read(env, 'VERDICT_QUEUE_LIMIT', z.coerce.number().int().min(0), 20_000);
  const bodyLimitBytes = read(env, 'VERDICT_BODY_LIMIT_BYTES', positiveInt, 64 * MiB);
  const config: Config = {
    host: read(env, 'HOST', z.string(), '127.0.0.1'),
    port: read(env, 'PORT', z.coerce.number().int().min(0).max(65535), 8080),
    logLevel: read(env, 'LOG_LEVEL', z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), 'info'),
    dockerHost: read<string | undefined>(env, 'DOCKER_HOST', z.string(), undefined),
    instanceId: read(env, 'VERDICT_INSTANCE_ID', z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/), facts.randomId),
    parentContainer: read<string | undefined>(env, 'VERDICT_PARENT_CONTAINER', z.string().regex(/^[0-9a-f]{12,64}$/, 'a Docker container id'), facts.containerId),
    reapIntervalMs: read(env, 'VERDICT_REAP_INTERVAL_MS', z.coerce.number().int().min(0), 30_000),
    runtime: read<string | undefined>(env, 'VERDICT_RUNTIME', z.string().regex(/^[A-Za-z0-9_.-]+$/), undefined),
    baseImage: read(env, 'VERDICT_BASE_IMAGE', z.string().min(1), 'debian:bookworm-slim'),
    defaultLimits,
    maxLimits,
    concurrency: read(env, 'VERDICT_CONCURRENCY', positiveInt, Math.max(1, facts.cpuCount)),
    queueLimit,
    maxBatchItems: read(env, 'VERDICT_MAX_BATCH_ITEMS', positiveInt, 10_000),
    defaultDeadlineMs: read(env, 'VERDICT_DEFAULT_DEADLINE_MS', positiveInt, HOUR_MS),
    maxDeadlineMs: read(env, 'VERDICT_MAX_DEADLINE_MS', positiveInt.max(MAX_DEADLINE_MS), MAX_DEADLINE_MS),
    poolMaxIdle: read(env, 'VERDICT_POOL_MAX_IDLE', z.coerce.number().int().min(0), 2 * Math.max(1, facts.cpuCount)),
    poolWindowMs: read(env, 'VERDICT_POOL_WINDOW_MS', positiveInt, 30_000),
    poolPrewarm: read(
      env,
      'VERDICT_POOL_PREWARM',
      z
        .string()
        .transform((v) => v.split(',').map((x) => x.trim()).filter((x) => x !== ''))
        .refine((ids) => ids.every((id) => findLanguage(id)), `a comma-separated list of languages from: ${languageIds.join(', ')}`)
        .transform((ids) => ids.map((id) => findLanguage(id)!.id)),
      [],
    ),
    sandboxReuse: read(env, 'VERDICT_SANDBOX_REUSE', z.enum(['true', 'false']).transform((v) => v === 'true'), true),
    sandboxMaxUses: read(env, 'VERDICT_SANDBOX_MAX_USES', positiveInt, 100),
    pruneStaleImages: read(env, 'VERDICT_PRUNE_STALE_IMAGES', z.enum(['true', 'false']).transform((v) => v === 'true'), true),
    cacheBytes: read(env, 'VERDICT_CACHE_BYTES', z.coerce.number().int().min(0), 256 * MiB),
    bodyLimitBytes,
    headersTimeoutMs: read(env, 'VERDICT_HEADERS_TIMEOUT_MS', positiveInt, 10_000),
    requestTimeoutMs: read(env, 'VERDICT_REQUEST_TIMEOUT_MS', positiveInt, defaultRequestTimeoutMs(bodyLimitBytes)),
    sendTimeoutMs: read(env, 'VERDICT_SEND_TIMEOUT_MS', positiveInt, 60_000),
    maxConnectionsPerAddress: read(env, 'VERDICT_MAX_CONNECTIONS_PER_ADDRESS', z.coerce.number().int().min(0), 256),
    maxTests: read(env, 'VERDICT_MAX_TESTS', positiveInt, 1000),
    maxFiles: read(env, 'VERDICT_MAX_FILES', positiveInt, 64),
    responseOutputBytes: read(env, 'VERDICT_RESPONSE_OUTPUT_BYTES', positiveInt, 64 * 1024),
    // As much as the largest request body: JSON escapes a byte in at most 6 characters, so even
    // an answer of control bytes (384 MiB) stays inside V8's 512 MiB string limit.
    maxResponseBytes: read(env, 'VERDICT_MAX_RESPONSE_BYTES', positiveInt, 64 * MiB),
    // About 300 bytes of JSON a result without its output: 200,000 results are some 60 MiB, as
    // much again as the output budget. NDJSON answers hold no more than their lines in flight.
    maxJsonAnswerTests: read(env, 'VERDICT_MAX_JSON_ANSWER_TESTS', positiveInt, 200_000),
    scratchBytes: read(env, 'VERDICT_SCRATCH_BYTES', positiveInt, 64 * MiB),
    // Far above what a compiler or an honest program creates (a Go build with its cache in /box: a few hundred).
    scratchInodes: read(env, 'VERDICT_SCRATCH_INODES', positiveInt.min(1024), 16_384),
    sandboxCpus: read(env, 'VERDICT_SANDBOX_CPUS', z.coerce.number().positive().max(64), 1),
    shutdownGraceMs: read(env, 'VERDICT_SHUTDOWN_GRACE_MS', positiveInt, 30_000),
    startupTimeoutMs: read(env, 'VERDICT_STARTUP_TIMEOUT_MS', positiveInt, 120_000),
  };
  if (config.defaultDeadlineMs > config.maxDeadlineMs) {
    throw new ConfigError(`VERDICT_DEFAULT_DEADLINE_MS (${config.defaultDeadlineMs}) exceeds VERDICT_MAX_DEADLINE_MS (${config.maxDeadlineMs})`);
  }
  // The headers are part of the request: a longer headers timeout could never fire (and Node refuses it).
  if (config.headersTimeoutMs > config.requestTimeoutMs) {
    throw new ConfigError(`VERDICT_HEADERS_TIMEOUT_MS (${config.headersTimeoutMs}) exceeds VERDICT_REQUEST_TIMEOUT_MS (${config.requestTimeoutMs})`);
  }
  return config;
}

/** The slowest upload waited for by default: a client on a few Mbit/s is honest, not an attack. */
export const MIN_UPLOAD_BYTES_PER_SECOND = 512 * 1024;

/** Time for a body at the body limit at MIN_UPLOAD_BYTES_PER_SECOND (64 MiB: 128 s), and never under a minute. */
export function defaultRequestTimeoutMs(bodyLimitBytes: number): number {
  return Math.max(60_000, Math.ceil(bodyLimitBytes / MIN_UPLOAD_BYTES_PER_SECOND) * 1000);
}
