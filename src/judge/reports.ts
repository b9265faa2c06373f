/**
 * What trusted code inside the sandbox reports on the program's stdout, behind markers: the
 * tracer's coverage, a call runner's returned value, the test-code trailer's "finished" and
 * "a check failed" lines. Each marker is random (per request or per run) and only its last
 * occurrence counts: the trusted code prints after the program, so what the program printed
 * before cannot pass for a report.
 * Pure: bytes in, the report and the program's own output out. One pass over the output each.
 */
import type { OwnCode } from './location.js';

/** A call runner's report: the function's value, or why there is none (see LanguageDefinition.call). */
export interface CallReport {
  ok: boolean;
  value?: unknown;
  error?: string;
  coverage?: unknown;
}

/** stdout around the last "\n<marker>\n": what came before it and what came after; undefined without one. */
function splitAtMarker(stdout: Buffer, marker: string): { before: Buffer; after: Buffer } | undefined {
  const needle = Buffer.from(`\n${marker}\n`, 'latin1');
  const at = stdout.lastIndexOf(needle);
  return at < 0 ? undefined : { before: stdout.subarray(0, at), after: stdout.subarray(at + needle.length) };
}

/** A runner's report: "\n<marker>\n" + one JSON line at the end of stdout, taken out of it. */
function takeReport(stdout: Buffer, marker: string): { report: unknown; stdout: Buffer } {
  const split = splitAtMarker(stdout, marker);
  if (!split) return { report: undefined, stdout };
  try {
    return { report: JSON.parse(split.after.toString('utf8')) as unknown, stdout: split.before };
  } catch {
    return { report: undefined, stdout: split.before };
  }
}

/**
 * The tracer's report: "\n<marker>\n" + one JSON line, at the very end of stdout. Lines are kept
 * for the candidate's own code only (not the composed test code). null when the program ended
 * without it (os._exit, a kill) or it does not parse.
 */
export function takeCoverage(
  stdout: Buffer,
  marker: string,
  own: OwnCode,
  fromReport: ((report: unknown) => Record<string, number[]> | undefined) | undefined,
): { coverage: Record<string, number[]> | null; stdout: Buffer } {
  const taken = takeReport(stdout, marker);
  if (taken.report === undefined) return { coverage: null, stdout: taken.stdout };
  const files = fromReport ? fromReport(taken.report) : (taken.report as { coverage?: unknown }).coverage;
  return { coverage: files !== undefined ? ownLines(files, own) : null, stdout: taken.stdout };
}

/** A call runner's report taken out of stdout; undefined when there is none or it is not one. */
export function takeCallReport(stdout: Buffer, marker: string): { report: CallReport | undefined; stdout: Buffer } {
  const taken = takeReport(stdout, marker);
  const r = taken.report as CallReport | undefined;
  const valid = r !== null && typeof r === 'object' && typeof r.ok === 'boolean';
  return { report: valid ? r : undefined, stdout: taken.stdout };
}

/** Executed lines of the candidate's own code only: its files, and of a composed file only its first lines. */
export function ownLines(reported: unknown, own: OwnCode): Record<string, number[]> | null {
  if (reported === null || typeof reported !== 'object') return null;
  const coverage: Record<string, number[]> = {};
  for (const file of own.files) {
    const lines = (reported as Record<string, unknown>)[file];
    if (!Array.isArray(lines)) continue;
    const limit = own.composed?.file === file ? own.composed.lines : Infinity;
    coverage[file] = lines.filter((n): n is number => Number.isInteger(n) && n >= 1 && n <= limit).sort((a, b) => a - b);
  }
  return coverage;
}

/** The trailer writes "\n<marker>\n"; take it out so the checker and the client see the program's own output. */
export function stripMarker(stdout: Buffer, marker: string): { present: boolean; stdout: Buffer } {
  const split = splitAtMarker(stdout, marker);
  return split ? { present: true, stdout: Buffer.concat([split.before, split.after]) } : { present: false, stdout };
}
