/** Where a failed JavaScript program failed, from its runtime's report (see ../runtime-report.ts for the reading rules). */
import { dedent, innermostOwn, relative, reportLines, type FailureLocation, type Frame, type OwnCode } from '../runtime-report.js';

/** "<path>:<line>:<column>" at the end of a token; undefined when the token is not one. */
const JS_POSITION = /^([^()\s]+):(\d+):\d+$/;

/**
 * A V8 stack line, "at fn (/box/main.js:3:9)" or "at /box/main.js:3:9": the position is the
 * line's last token, after the last "(" or space, without the closing parenthesis.
 */
function jsFrame(line: string): Frame | undefined {
  const { text, indented } = dedent(line);
  if (!indented || !text.startsWith('at ')) return undefined;
  const body = text.endsWith(')') ? text.slice(0, -1) : text;
  const from = Math.max(body.lastIndexOf('('), body.lastIndexOf(' '), body.lastIndexOf('\t')) + 1;
  const m = JS_POSITION.exec(body.slice(from));
  return m ? { file: relative(m[1]!.startsWith('file://') ? m[1]!.slice('file://'.length) : m[1]!), line: Number(m[2]) } : undefined;
}

const JS_HEAD = /^([^\s:]+):(\d+)$/;
const JS_ERROR = /^(?:Uncaught )?([A-Z][\w$]*(?:Error|Exception)|Error)(?: \[[A-Z_]+\])?: (.*)$/;

export function javascriptFailureLocation(stderr: string, own: OwnCode): FailureLocation | undefined {
  const lines = reportLines(stderr);
  const frames: Frame[] = [];
  let error: RegExpExecArray | null = null;
  for (const line of lines) {
    const frame = jsFrame(line);
    if (frame) frames.push(frame);
    error ??= JS_ERROR.exec(line);
  }
  // Node's uncaught report starts with "<file>:<line>" when it can show the source line.
  const head = lines.length > 1 ? JS_HEAD.exec(lines[0]!) : null;
  if (head) frames.unshift({ file: relative(head[1]!), line: Number(head[2]) });
  if (frames.length === 0 && !error) return undefined;
  const frame = innermostOwn(frames, own);
  return { exceptionType: error?.[1] ?? null, message: error?.[2] ?? null, file: frame?.file ?? null, line: frame?.line ?? null };
}
