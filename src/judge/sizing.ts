/**
 * How big a sandbox's container is for a program's limits. The container holds more than the
 * program: the supervisor and its capture buffers, and what a compiler needs beyond a run.
 */
import type { Limits } from '../domain/vocabulary.js';
import type { LanguageDefinition } from '../languages/types.js';

export const MiB = 1024 * 1024;

/** What decides whether one sandbox can stand in for another: same image, same container limits. */
export interface SandboxShape {
  language: string;
  image: string;
  memoryBytes: number;
  pids: number;
  tmpBytes: number;
  shmBytes: number;
}

/**
 * The memory a compile step runs under: a build ('compile') gets the larger of the compile and
 * run limits, a check ('run') the program's own limit.
 */
export function compileMemoryBytes(compile: NonNullable<LanguageDefinition['compile']>, limits: Pick<Limits, 'compileMemoryBytes' | 'memoryBytes'>): number {
  return compile.memory === 'compile' ? Math.max(limits.compileMemoryBytes, limits.memoryBytes) : limits.memoryBytes;
}

/** A compile step's wall limit: twice its CPU limit, for a compiler's own I/O and start-up. */
export function compileWallTimeMs(limits: Pick<Limits, 'compileTimeMs'>): number {
  return limits.compileTimeMs * 2;
}

/**
 * Room for the supervisor beside the program: its two capture buffers and its
 * own few MiB. The program's share is judged against the limit itself.
 */
export function containerMemoryBytes(programBytes: number, outputBytes: number): number {
  return programBytes + 2 * outputBytes + 16 * MiB;
}

/** The container for a program of `lang` under `limits`; `scratchBytes`: the service's program-directory size. */
export function sandboxShape(lang: LanguageDefinition, image: { tag: string }, limits: Limits, scratchBytes: number): SandboxShape {
  // The container starts at what the compile needs; after a build it is set to what the run needs.
  const programBytes = lang.compile ? compileMemoryBytes(lang.compile, limits) : limits.memoryBytes;
  return {
    language: lang.id,
    image: image.tag,
    memoryBytes: containerMemoryBytes(programBytes, limits.outputBytes),
    // The supervisor is one more process in the container's pid count.
    pids: limits.processes + 1,
    // Scratch files are memory too: kept well below the program's limit, so what a killed
    // program leaves there can never starve the supervisor of the container's slack.
    tmpBytes: Math.max(MiB, Math.min(scratchBytes, Math.floor(limits.memoryBytes / 2))),
    shmBytes: Math.max(MiB, Math.min(16 * MiB, Math.floor(limits.memoryBytes / 4))),
  };
}

/** A test's stack: below the memory limit, so runaway recursion ends as a stack overflow (runtime_error). */
export function testStackBytes(memoryBytes: number): number {
  return Math.max(8 * MiB, Math.floor((memoryBytes * 3) / 4));
}
