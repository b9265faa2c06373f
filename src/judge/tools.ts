/**
 * Trusted commands of a language's image, not programs: a parser for line segmentation, and the
 * toolchain's version probe. Each runs once in a sandbox of its own, at fixed limits.
 */
import type { Limits } from '../domain/vocabulary.js';
import { CancelledError } from '../errors.js';
import type { LanguageDefinition } from '../languages/types.js';
import type { RunRecord } from '../sandbox/protocol.js';
import type { SandboxProvider } from './provider.js';
import { containerMemoryBytes, MiB, sandboxShape, type SandboxShape } from './sizing.js';
import { runStep } from './step.js';

const toolLimits: Limits = {
  compileTimeMs: 10_000,
  compileMemoryBytes: 256 * MiB,
  timeMs: 10_000,
  wallTimeMs: 20_000,
  memoryBytes: 256 * MiB,
  outputBytes: 16 * MiB,
  processes: 8,
  // One run: its own wall limit bounds it.
  totalWallTimeMs: 20_000,
};

/** `scratchBytes` and `sandboxCpus`: the service's, as for programs. */
export interface ToolSettings {
  scratchBytes: number;
  sandboxCpus: number;
}

/** Run `argv` on `stdin` in a sandbox of `lang`'s image; `signal` aborting kills it, and the run stops with a CancelledError. */
export async function runTool(
  provider: SandboxProvider,
  settings: ToolSettings,
  lang: LanguageDefinition,
  image: { tag: string },
  argv: readonly string[],
  stdin: Buffer,
  signal: AbortSignal,
): Promise<RunRecord> {
  const sandbox = await provider.acquire(sandboxShape(lang, image, toolLimits, settings.scratchBytes), undefined);
  const kill = () => provider.release(sandbox, false);
  signal.addEventListener('abort', kill, { once: true });
  try {
    return await runStep(sandbox.session, {
      phase: 'test',
      argv,
      env: lang.env({ entry: lang.sourceFile, entrySource: '', sources: [], memoryBytes: toolLimits.memoryBytes, cpus: settings.sandboxCpus }),
      stdin,
      cpuTimeMs: toolLimits.timeMs,
      wallTimeMs: toolLimits.wallTimeMs,
      outputBytes: toolLimits.outputBytes,
      killOnOutput: true,
      fileSizeBytes: MiB,
      openFiles: 64,
      stackBytes: 64 * MiB,
    });
  } catch (err) {
    if (signal.aborted) throw CancelledError.from(signal, 'judging stopped');
    throw err;
  } finally {
    signal.removeEventListener('abort', kill);
    provider.release(sandbox, false);
  }
}

/** Run one command in a fresh sandbox of the language's image (toolchain version probes). */
export async function probe(provider: SandboxProvider, settings: ToolSettings, lang: LanguageDefinition, image: { tag: string }, argv: readonly string[]): Promise<RunRecord> {
  const shape: SandboxShape = {
    language: lang.id,
    image: image.tag,
    memoryBytes: containerMemoryBytes(256 * MiB, MiB),
    pids: 33,
    tmpBytes: 128 * MiB,
    shmBytes: 16 * MiB,
  };
  const sandbox = await provider.open(shape);
  try {
    return await runStep(sandbox.session, {
      phase: 'test',
      argv,
      env: lang.env({ entry: lang.sourceFile, entrySource: '', sources: [], memoryBytes: 256 * MiB, cpus: settings.sandboxCpus }),
      stdin: Buffer.alloc(0),
      cpuTimeMs: 5000,
      wallTimeMs: 10_000,
      outputBytes: 64 * 1024,
      killOnOutput: false,
      fileSizeBytes: MiB,
      openFiles: 256,
      stackBytes: 8 * MiB,
    });
  } finally {
    await sandbox.close();
  }
}
