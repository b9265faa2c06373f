/** Where a failed Python program failed, from its runtime's report (see ../runtime-report.ts for the reading rules). */
import { dedent, innermostOwn, relative, reportLines, type FailureLocation, type Frame, type OwnCode } from '../runtime-report.js';

const PY_FRAME = /^File "([^"]+)", line (\d+)/;
const PY_EXCEPTION = /^([A-Za-z_][\w.]*)(?::\s?(.*))?$/;
const PY_EXCEPTION_NAME = /(Error|Exception|Exit|Interrupt|Warning|Iteration)$|^[A-Z]\w*$/;

export function pythonFailureLocation(stderr: string, own: OwnCode): FailureLocation | undefined {
  const lines = reportLines(stderr);
  const frames: Frame[] = [];
  for (const line of lines) {
    const m = PY_FRAME.exec(dedent(line).text);
    if (m) frames.push({ file: relative(m[1]!), line: Number(m[2]) });
  }
  // The exception is the last unindented "Name: message" (or bare "Name") line of the last traceback.
  let exceptionType: string | null = null;
  let message: string | null = null;
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = PY_EXCEPTION.exec(lines[i]!);
    if (m && PY_EXCEPTION_NAME.test(m[1]!)) {
      exceptionType = m[1]!;
      message = m[2] ?? null;
      break;
    }
  }
  if (frames.length === 0 && exceptionType === null) return undefined;
  const frame = innermostOwn(frames.reverse(), own);
  return { exceptionType, message, file: frame?.file ?? null, line: frame?.line ?? null };
}
