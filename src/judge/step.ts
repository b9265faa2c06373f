/**
 * One step (a compile, a test, a tool) in a sandbox, with the two endings that are no record of
 * the program's: a command the image promised that could not start, and a sandbox the run took
 * down with it.
 */
import { constants } from 'node:os';
import { SandboxFailedError } from '../errors.js';
import type { RunRecord, RunRequest } from '../sandbox/protocol.js';
import { SandboxOutOfMemory, type SandboxSession } from '../sandbox/session.js';

/** A step's record; `sandboxLost`: the sandbox did not survive it, so nothing more may run there. */
export type StepRecord = RunRecord & { sandboxLost?: true };

export async function runStep(session: SandboxSession, request: RunRequest): Promise<RunRecord> {
  const record = await session.run(request);
  // The command the image promises could not start: a broken image, not a broken program.
  if (record.reason === 'exec' || record.reason === 'setup') {
    throw new SandboxFailedError(`the sandbox could not start ${JSON.stringify(request.argv[0])} (${record.reason}, errno ${record.execErrno})`);
  }
  return record;
}

/**
 * A run whose sandbox the OOM killer took: a record of a memory-killed run,
 * marked so the judge stops using the dead sandbox. A run reported but not
 * wiped after (session.spent) keeps its own record, marked the same way.
 */
export async function runOrOutOfMemory(session: SandboxSession, request: RunRequest): Promise<StepRecord> {
  try {
    const record = await runStep(session, request);
    return session.spent ? { ...record, sandboxLost: true } : record;
  } catch (err) {
    if (!(err instanceof SandboxOutOfMemory)) throw err;
    return {
      exitCode: null,
      signal: constants.signals.SIGKILL,
      cpuTimeMs: 0,
      wallTimeMs: 0,
      peakMemoryBytes: 0,
      oomKills: 1,
      reason: 'none',
      execErrno: 0,
      boxBytes: 0,
      stdout: Buffer.alloc(0),
      stdoutTruncated: false,
      stderr: Buffer.alloc(0),
      stderrTruncated: false,
      sandboxLost: true,
    };
  }
}
