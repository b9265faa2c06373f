/**
 * The trusted test process's report (a paired run: languages' `trustedTestCode`): the last line
 * of its own output, which no candidate process can write to. Whether the test code passed is
 * read from it alone; what the candidate printed or exited with cannot change it.
 */
import { z } from 'zod';
import type { Verdict } from '../domain/vocabulary.js';
import { TrustedRunnerFailedError } from '../errors.js';
import type { TrustedRecord } from '../sandbox/protocol.js';

export const trustedOutcomes = ['passed', 'failed', 'raised', 'ended', 'not_plain', 'cannot_cross', 'broken'] as const;
export type TrustedOutcome = (typeof trustedOutcomes)[number];

const reportSchema = z.object({
  outcome: z.enum(trustedOutcomes),
  message: z.string().optional(),
  /** What the test code printed (the runner keeps a bounded part). */
  output: z.string().optional(),
  /** The test code's traceback, when an exception ended it. */
  stderr: z.string().optional(),
});
export type TrustedReport = z.infer<typeof reportSchema>;

/** How each outcome is judged: the test code's own check failing, or a value that cannot cross, is a wrong answer. */
const verdictOf: Record<TrustedOutcome, Verdict> = {
  passed: 'accepted',
  failed: 'wrong_answer',
  not_plain: 'wrong_answer',
  raised: 'runtime_error',
  ended: 'runtime_error',
  cannot_cross: 'runtime_error',
  broken: 'runtime_error',
};

/** The last bytes of its output that may hold the report: it is one line, its message and output bounded by the runner. */
const MAX_REPORT_BYTES = 256 * 1024;

/**
 * The report, read off the trusted process's output. Its absence is Verdict's failure, never a
 * verdict: the trusted process cannot be reached by the candidate, so a missing or unreadable
 * report (it could not start, it crashed) is a retryable TrustedRunnerFailedError. Callers read limits
 * (time, memory, output) before this: a run the limits ended has no report to read.
 */
export function readTrustedReport(trusted: TrustedRecord): TrustedReport {
  if (trusted.failedToStart) throw new TrustedRunnerFailedError('the trusted test process could not be started');
  const output = trusted.output;
  let end = output.length;
  while (end > 0 && (output[end - 1] === 0x0a || output[end - 1] === 0x0d)) end--;
  const start = output.lastIndexOf(0x0a, end - 1) + 1;
  if (end === 0 || end - start > MAX_REPORT_BYTES) throw unreadable(trusted, 'it wrote no report');
  let parsed: unknown;
  try {
    parsed = JSON.parse(output.toString('utf8', start, end));
  } catch {
    throw unreadable(trusted, 'its last line is not JSON');
  }
  const report = reportSchema.safeParse(parsed);
  if (!report.success) throw unreadable(trusted, 'its last line is not a report');
  return report.data;
}

export function trustedVerdict(report: TrustedReport): { verdict: Verdict; checkerMessage?: string } {
  const verdict = verdictOf[report.outcome];
  return report.message ? { verdict, checkerMessage: report.message } : { verdict };
}

function unreadable(trusted: TrustedRecord, why: string): TrustedRunnerFailedError {
  const how = trusted.signal !== null ? `killed by signal ${trusted.signal}` : `exit status ${trusted.exitCode}`;
  const tail = trusted.output.subarray(Math.max(0, trusted.output.length - 500)).toString('utf8');
  return new TrustedRunnerFailedError(`the trusted test process failed (${how}): ${why}; its output ended with ${JSON.stringify(tail)}`);
}
