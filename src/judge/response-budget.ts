/**
 * What one answer may carry of programs' output: stdout, stderr and compiler output across
 * every result of a request (VERDICT_MAX_RESPONSE_BYTES). Each test's capture is already
 * capped (VERDICT_RESPONSE_OUTPUT_BYTES), but a batch of 10,000 items × 1,000 tests × 64 KiB
 * of stdout and of stderr would otherwise be a 1.2 TiB answer, held in memory for a JSON
 * answer, and past V8's string limit after some 700 such tests.
 *
 * Results are trimmed in the order they are answered: once the budget is spent, later outputs
 * are emptied. A trimmed output says so in its own `…Truncated` flag, its result with
 * `responseTruncated`, and the answer in its summary. Verdicts are untouched: they were decided
 * on the full output, before the answer was assembled.
 */
import type { SubmissionResult } from '../domain/results.js';

export class ResponseBudget {
  private remainingBytes: number;
  /** Whether any output of this answer was cut: the answer-level flag. */
  truncated = false;

  constructor(maxBytes: number) {
    this.remainingBytes = maxBytes;
  }

  /** `result` with its outputs within what is left of the budget, which they then use up. */
  trim<R extends SubmissionResult>(result: R): R {
    let cut = false;
    let compile = result.compile;
    if (compile !== null) {
      const output = this.take(compile.output);
      if (output !== compile.output) {
        cut = true;
        compile = { ...compile, output, outputTruncated: true };
      }
    }
    const tests = result.tests.map((t) => {
      const stdout = this.take(t.stdout);
      const stderr = this.take(t.stderr);
      if (stdout === t.stdout && stderr === t.stderr) return t;
      cut = true;
      return { ...t, stdout, stdoutTruncated: t.stdoutTruncated || stdout !== t.stdout, stderr, stderrTruncated: t.stderrTruncated || stderr !== t.stderr };
    });
    if (!cut) return result;
    this.truncated = true;
    return { ...result, compile, tests, responseTruncated: true };
  }

  /** The head of `text` that fits, cut at a character boundary; `text` itself when it all fits. */
  private take(text: string): string {
    if (text.length === 0) return text;
    if (this.remainingBytes === 0) return '';
    // UTF-8 is at most 3 bytes per UTF-16 unit: most texts fit without being encoded.
    if (text.length * 3 <= this.remainingBytes) {
      this.remainingBytes -= Buffer.byteLength(text, 'utf8');
      return text;
    }
    const bytes = Buffer.from(text, 'utf8');
    if (bytes.length <= this.remainingBytes) {
      this.remainingBytes -= bytes.length;
      return text;
    }
    let end = this.remainingBytes;
    // Back to the start of a character: continuation bytes are 10xxxxxx.
    while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
    this.remainingBytes = 0;
    return bytes.subarray(0, end).toString('utf8');
  }
}
