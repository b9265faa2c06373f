/**
 * Where a failed program failed, read from what its runtime printed: the
 * exception (or panic) and the innermost stack frame in the candidate's own
 * lines, not the harness's, the runtime's or a library's. Best effort per
 * language, from the formats each runtime documents; C and C++ print no
 * stack, so they get none. The program's stderr is its own to write, so this
 * is a hint for labelers, never an input to a verdict.
 */

export interface FailureLocation {
  /** e.g. ValueError, java.lang.ArithmeticException, TypeError, panic. */
  exceptionType: string | null;
  message: string | null;
  /** Relative to the program directory. */
  file: string | null;
  line: number | null;
}

export interface OwnCode {
  /** The program's files, relative to the program directory. */
  files: readonly string[];
  /** With test code composed in: the file holding the candidate's source and how many of its first lines are the candidate's. */
  composed?: { file: string; lines: number } | undefined;
}

interface Frame {
  file: string;
  line: number;
}

const BOX = '/box/';

/**
 * stderr is the candidate's to write, up to the output limit (16 MiB), so it is read as lines
 * from a bounded window, each line cut to a bounded length, with patterns anchored at the line's
 * start and free of ambiguous quantifiers: the work is linear in the window, never in what the
 * program chose to print. A runtime's report stands at one end of stderr (Node's head, a
 * traceback or panic at the tail), so the window is the head and the tail.
 */
const WINDOW_CHARS = 64 * 1024;
const MAX_LINE_CHARS = 4096;

/**
 * The part of a captured stderr where a runtime's report can stand, as text: all of it when
 * short, else its head and its tail. Decoding and searching all 16 MiB a program may print held
 * the event loop for tens of milliseconds per test; the window bounds that whatever it printed.
 */
export function reportWindow(stderr: Buffer): string {
  if (stderr.length <= 2 * WINDOW_CHARS) return stderr.toString('utf8');
  return `${stderr.toString('utf8', 0, WINDOW_CHARS)}\n${stderr.toString('utf8', stderr.length - WINDOW_CHARS)}`;
}

function reportLines(stderr: string): string[] {
  const text = stderr.length <= 2 * WINDOW_CHARS ? stderr : `${stderr.slice(0, WINDOW_CHARS)}\n${stderr.slice(-WINDOW_CHARS)}`;
  return text.split('\n').map((line) => (line.length > MAX_LINE_CHARS ? line.slice(0, MAX_LINE_CHARS) : line));
}

/** The line without its leading spaces and tabs, and whether there were any. */
function dedent(line: string): { text: string; indented: boolean } {
  let i = 0;
  while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
  return { text: i === 0 ? line : line.slice(i), indented: i > 0 };
}

function relative(path: string): string {
  if (path.startsWith(BOX)) return path.slice(BOX.length);
  return path.startsWith('./') ? path.slice(2) : path;
}

/** The first frame (in the given order, innermost first) that lies in the candidate's own lines. */
function innermostOwn(frames: Frame[], own: OwnCode): Frame | undefined {
  return frames.find((f) => {
    if (!own.files.includes(f.file)) return false;
    if (own.composed && f.file === own.composed.file) return f.line <= own.composed.lines;
    return true;
  });
}

const PY_FRAME = /^File "([^"]+)", line (\d+)/;
const PY_EXCEPTION = /^([A-Za-z_][\w.]*)(?::\s?(.*))?$/;
const PY_EXCEPTION_NAME = /(Error|Exception|Exit|Interrupt|Warning|Iteration)$|^[A-Z]\w*$/;

function python(stderr: string, own: OwnCode): FailureLocation | undefined {
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

function javascript(stderr: string, own: OwnCode): FailureLocation | undefined {
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

const JAVA_THREAD = 'Exception in thread "';
const JAVA_THREAD_REST = /^[^"]*" ([\w.$]+)(?:: (.*))?$/;
const JAVA_ERROR = /^([\w.$]+(?:Exception|Error))(?:: (.*))?$/;
const JAVA_FRAME = /^at [\w.$<>]+\(([\w$]+\.java):(\d+)\)$/;

function java(stderr: string, own: OwnCode): FailureLocation | undefined {
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

const GO_FRAME = /^(\/box\/[^\s:]+\.go):(\d+)/;
const GO_TRACE = 'Error Trace:';

function go(stderr: string, own: OwnCode): FailureLocation | undefined {
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

const RUST_PANIC = /^thread '[^']*' panicked at '/;
const RUST_POSITION = /([^\s:]+\.rs):(\d+):\d+/y;

function rust(stderr: string, own: OwnCode): FailureLocation | undefined {
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

const parsers: Record<string, (stderr: string, own: OwnCode) => FailureLocation | undefined> = {
  python,
  javascript,
  typescript: javascript,
  java,
  go,
  rust,
};

/** For the languages whose runtimes report where they failed; undefined when nothing was recognised. */
export function failureLocation(language: string, stderr: string, own: OwnCode): FailureLocation | undefined {
  return parsers[language]?.(stderr, own);
}
