/** Where a failed Go program failed, from its runtime's report (see ../runtime-report.ts for the reading rules). */
import { dedent, innermostOwn, relative, reportLines, type FailureLocation, type Frame, type OwnCode } from '../runtime-report.js';

const GO_FRAME = /^(\/box\/[^\s:]+\.go):(\d+)/;
const GO_TRACE = 'Error Trace:';

export function goFailureLocation(stderr: string, own: OwnCode): FailureLocation | undefined {
  let panic: string | undefined;
  const frames: Frame[] = [];
  const traces: Frame[] = [];
  for (const line of reportLines(stderr)) {
    if (panic === undefined && line.startsWith('panic: ')) panic = line.slice('panic: '.length);
    const { text, indented } = dedent(line);
    const m = indented ? GO_FRAME.exec(text) : null;
    if (m) frames.push({ file: relative(m[1]!), line: Number(m[2]) });
    // A failed `go test` assertion: "main_test.go:53:" or testify's "Error Trace: /box/main_test.go:53".
    const at = line.indexOf(GO_TRACE);
    const t = at >= 0 ? GO_FRAME.exec(dedent(line.slice(at + GO_TRACE.length)).text) : null;
    if (t) traces.push({ file: relative(t[1]!), line: Number(t[2]) });
  }
  frames.push(...traces);
  if (panic === undefined && frames.length === 0) return undefined;
  const frame = innermostOwn(frames, own);
  return { exceptionType: panic !== undefined ? 'panic' : null, message: panic ?? null, file: frame?.file ?? null, line: frame?.line ?? null };
}
