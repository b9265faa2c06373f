/** Where a failed Rust program failed, from its runtime's report (see ../runtime-report.ts for the reading rules). */
import { innermostOwn, MAX_LINE_CHARS, relative, WINDOW_CHARS, type FailureLocation, type OwnCode } from '../runtime-report.js';

const RUST_PANIC = /^thread '[^']*' panicked at '/;
const RUST_POSITION = /([^\s:]+\.rs):(\d+):\d+/y;

export function rustFailureLocation(stderr: string, own: OwnCode): FailureLocation | undefined {
  // Rust 1.63: thread 'main' panicked at 'message', main.rs:5:9 (the message may span lines).
  const text = stderr.length <= 2 * WINDOW_CHARS ? stderr : stderr.slice(0, 2 * WINDOW_CHARS);
  let start = -1;
  for (let at = 0; at < text.length; ) {
    const end = text.indexOf('\n', at);
    const lineEnd = end < 0 ? text.length : end;
    const m = RUST_PANIC.exec(text.slice(at, Math.min(lineEnd, at + MAX_LINE_CHARS)));
    if (m) {
      start = at + m[0].length;
      break;
    }
    at = lineEnd + 1;
  }
  if (start < 0) return undefined;
  // The message ends at the first "', " that a position follows.
  for (let quote = text.indexOf("', ", start); quote >= 0; quote = text.indexOf("', ", quote + 1)) {
    RUST_POSITION.lastIndex = quote + 3;
    const m = RUST_POSITION.exec(text);
    if (!m) continue;
    const frame = innermostOwn([{ file: relative(m[1]!.startsWith('src/') ? m[1]!.slice(4) : m[1]!), line: Number(m[2]) }], own);
    return { exceptionType: 'panic', message: text.slice(start, quote), file: frame?.file ?? null, line: frame?.line ?? null };
  }
  return undefined;
}
