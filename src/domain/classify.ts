/**
 * Verdicts from facts the kernel and the supervisor recorded, in a fixed order,
 * never from what the program printed.
 */
import { constants } from 'node:os';
import type { RunRecord } from '../sandbox/protocol.js';
import type { CompileStatus, Verdict } from './vocabulary.js';

const SIGXCPU = constants.signals.SIGXCPU;
// Aliases share numbers (SIGABRT/SIGIOT, SIGIO/SIGPOLL): the first, canonical name wins.
const signalNames = new Map<number, string>();
for (const [name, n] of Object.entries(constants.signals)) if (!signalNames.has(n)) signalNames.set(n, name);

export function signalName(signal: number | null): string | null {
  if (signal === null) return null;
  return signalNames.get(signal) ?? `SIG${signal}`;
}

export interface RunLimits {
  cpuTimeMs: number;
  memoryBytes: number;
}

/** Whether the kernel or the measurement says the memory limit was hit. */
function memoryExceeded(record: RunRecord, limits: RunLimits): boolean {
  return (record.oomKills ?? 0) > 0 || record.peakMemoryBytes > limits.memoryBytes;
}

function timeExceeded(record: RunRecord, limits: RunLimits): boolean {
  return record.reason === 'cpu' || record.reason === 'wall' || record.signal === SIGXCPU || record.cpuTimeMs > limits.cpuTimeMs;
}

/**
 * A test run's verdict before its output is compared: undefined means the
 * program exited 0 within every limit and its stdout decides.
 * Order: output cap (the supervisor's own kill), memory (OOM counter or peak),
 * time (the supervisor's kill, SIGXCPU, or measured CPU), then exit status.
 */
export function classifyRun(record: RunRecord, limits: RunLimits): Exclude<Verdict, 'accepted' | 'wrong_answer' | 'compile_error' | 'skipped'> | undefined {
  if (record.reason === 'output') return 'output_limit_exceeded';
  if (memoryExceeded(record, limits)) return 'memory_limit_exceeded';
  if (timeExceeded(record, limits)) return 'time_limit_exceeded';
  if (record.exitCode !== 0) return 'runtime_error';
  return undefined;
}

export function classifyCompile(record: RunRecord, limits: RunLimits): CompileStatus {
  if (memoryExceeded(record, limits)) return 'memory_limit_exceeded';
  if (timeExceeded(record, limits)) return 'time_limit_exceeded';
  if (record.exitCode !== 0) return 'failed';
  return 'ok';
}
