/**
 * A bare sandbox, for tests that drive the supervisor directly rather than
 * through the judge: the image's tools, run with generous limits.
 */
import assert from 'node:assert/strict';
import type { LanguageDefinition } from '../../src/languages/types.js';
import { LABEL_INSTANCE } from '../../src/sandbox/docker-engine.js';
import type { Phase, RunRecord } from '../../src/sandbox/protocol.js';
import { SandboxSession } from '../../src/sandbox/session.js';
import type { TestApp } from './app.js';

export const MiB = 1024 * 1024;
export const SANDBOX_MEMORY_BYTES = 256 * MiB;
/** Entries each of the sandbox's tmpfs holds (the service's default). */
export const SANDBOX_INODES = 16_384;

/** One sandbox of the language's image, labelled for the app's leak check, closed after `body`. */
export async function withSandbox(t: TestApp, lang: LanguageDefinition, candidateUid: number, body: (s: SandboxSession) => Promise<void>): Promise<void> {
  const image = t.app.catalog.image(lang);
  assert.ok(image, `the ${lang.id} image is built`);
  const session = await SandboxSession.open(t.engine, {
    image: image.tag,
    memoryBytes: SANDBOX_MEMORY_BYTES,
    pids: 32,
    cpus: 1,
    boxBytes: 16 * MiB,
    tmpBytes: 16 * MiB,
    shmBytes: 16 * MiB,
    inodes: SANDBOX_INODES,
    candidateUid,
    labels: { [LABEL_INSTANCE]: t.instanceId },
  });
  try {
    await body(session);
  } finally {
    await session.close();
  }
}

/** One run that must end on its own (no limit hit): a tool of the image, not a candidate. */
export async function runOk(session: SandboxSession, run: { argv: string[]; env: Record<string, string>; phase?: Phase; stdin?: string }): Promise<RunRecord> {
  const record = await session.run({
    phase: run.phase ?? 'test',
    argv: run.argv,
    env: run.env,
    stdin: Buffer.from(run.stdin ?? ''),
    cpuTimeMs: 10_000,
    wallTimeMs: 20_000,
    outputBytes: MiB,
    killOnOutput: false,
    fileSizeBytes: 4 * MiB,
    openFiles: 64,
    stackBytes: 8 * MiB,
  });
  assert.equal(record.reason, 'none', `${run.argv.join(' ')}: ${record.stderr.toString()}`);
  return record;
}
