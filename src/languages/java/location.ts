/** Where a failed Java program failed, from its runtime's report (see ../runtime-report.ts for the reading rules). */
import { dedent, innermostOwn, reportLines, type FailureLocation, type Frame, type OwnCode } from '../runtime-report.js';

const JAVA_THREAD = 'Exception in thread "';
const JAVA_THREAD_REST = /^[^"]*" ([\w.$]+)(?:: (.*))?$/;
const JAVA_ERROR = /^([\w.$]+(?:Exception|Error))(?:: (.*))?$/;
const JAVA_FRAME = /^at [\w.$<>]+\(([\w$]+\.java):(\d+)\)$/;

export function javaFailureLocation(stderr: string, own: OwnCode): FailureLocation | undefined {
  const lines = reportLines(stderr);
  let uncaught: RegExpExecArray | null = null;
  let thrown: RegExpExecArray | null = null;
  const frames: Frame[] = [];
  for (const line of lines) {
    const at = uncaught ? -1 : line.indexOf(JAVA_THREAD);
    if (at >= 0) uncaught = JAVA_THREAD_REST.exec(line.slice(at + JAVA_THREAD.length));
    thrown ??= JAVA_ERROR.exec(line);
    const { text, indented } = dedent(line);
    const m = indented ? JAVA_FRAME.exec(text) : null;
    // Java names the source file without its directory; match it to the program's files by name.
    if (m) frames.push({ file: own.files.find((f) => f === m[1] || f.endsWith(`/${m[1]}`)) ?? m[1]!, line: Number(m[2]) });
  }
  const error = uncaught ?? thrown;
  if (!error && frames.length === 0) return undefined;
  const frame = innermostOwn(frames, own);
  return { exceptionType: error?.[1] ?? null, message: error?.[2] ?? null, file: frame?.file ?? null, line: frame?.line ?? null };
}
