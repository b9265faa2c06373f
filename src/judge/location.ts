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

function relative(path: string): string {
  return path.startsWith(BOX) ? path.slice(BOX.length) : path.replace(/^\.\//, '');
}

/** The first frame (in the given order, innermost first) that lies in the candidate's own lines. */
function innermostOwn(frames: Frame[], own: OwnCode): Frame | undefined {
  return frames.find((f) => {
    if (!own.files.includes(f.file)) return false;
    if (own.composed && f.file === own.composed.file) return f.line <= own.composed.lines;
    return true;
  });
}

function python(stderr: string, own: OwnCode): FailureLocation | undefined {
  const frames: Frame[] = [];
  for (const m of stderr.matchAll(/^\s*File "([^"]+)", line (\d+)/gm)) frames.push({ file: relative(m[1]!), line: Number(m[2]) });
  // The exception is the last unindented "Name: message" (or bare "Name") line of the last traceback.
  const lines = stderr.trimEnd().split('\n');
  let exceptionType: string | null = null;
  let message: string | null = null;
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /^([A-Za-z_][\w.]*)(?::\s?(.*))?$/.exec(lines[i]!);
    if (m && /(Error|Exception|Exit|Interrupt|Warning|Iteration)$|^[A-Z]\w*$/.test(m[1]!)) {
      exceptionType = m[1]!;
      message = m[2] ?? null;
      break;
    }
  }
  if (frames.length === 0 && exceptionType === null) return undefined;
  const frame = innermostOwn(frames.reverse(), own);
  return { exceptionType, message, file: frame?.file ?? null, line: frame?.line ?? null };
}

function javascript(stderr: string, own: OwnCode): FailureLocation | undefined {
  const frames: Frame[] = [];
  for (const m of stderr.matchAll(/^\s+at (?:.*?\()?([^()\s]+?):(\d+):\d+\)?$/gm)) frames.push({ file: relative(m[1]!.replace(/^file:\/\//, '')), line: Number(m[2]) });
  // Node's uncaught report starts with "<file>:<line>" when it can show the source line.
  const head = /^([^\s:]+):(\d+)\n/.exec(stderr);
  if (head) frames.unshift({ file: relative(head[1]!), line: Number(head[2]) });
  const error = /^(?:Uncaught )?([A-Z][\w$]*(?:Error|Exception)|Error)(?: \[[A-Z_]+\])?: (.*)$/m.exec(stderr);
  if (frames.length === 0 && !error) return undefined;
  const frame = innermostOwn(frames, own);
  return { exceptionType: error?.[1] ?? null, message: error?.[2] ?? null, file: frame?.file ?? null, line: frame?.line ?? null };
}

function java(stderr: string, own: OwnCode): FailureLocation | undefined {
  const error = /Exception in thread "[^"]*" ([\w.$]+)(?:: (.*))?$/m.exec(stderr) ?? /^([\w.$]+(?:Exception|Error))(?:: (.*))?$/m.exec(stderr);
  const frames: Frame[] = [];
  // Java names the source file without its directory; match it to the program's files by name.
  for (const m of stderr.matchAll(/^\s+at [\w.$<>]+\(([\w$]+\.java):(\d+)\)$/gm)) {
    const file = own.files.find((f) => f === m[1] || f.endsWith(`/${m[1]}`)) ?? m[1]!;
    frames.push({ file, line: Number(m[2]) });
  }
  if (!error && frames.length === 0) return undefined;
  const frame = innermostOwn(frames, own);
  return { exceptionType: error?.[1] ?? null, message: error?.[2] ?? null, file: frame?.file ?? null, line: frame?.line ?? null };
}

function go(stderr: string, own: OwnCode): FailureLocation | undefined {
  const panic = /^panic: (.*)$/m.exec(stderr);
  const frames: Frame[] = [];
  for (const m of stderr.matchAll(/^\s+(\/box\/[^\s:]+\.go):(\d+)/gm)) frames.push({ file: relative(m[1]!), line: Number(m[2]) });
  // A failed `go test` assertion: "main_test.go:53:" or testify's "Error Trace: /box/main_test.go:53".
  for (const m of stderr.matchAll(/Error Trace:\s+(\/box\/[^\s:]+\.go):(\d+)/g)) frames.push({ file: relative(m[1]!), line: Number(m[2]) });
  if (!panic && frames.length === 0) return undefined;
  const frame = innermostOwn(frames, own);
  return { exceptionType: panic ? 'panic' : null, message: panic?.[1] ?? null, file: frame?.file ?? null, line: frame?.line ?? null };
}

function rust(stderr: string, own: OwnCode): FailureLocation | undefined {
  // Rust 1.63: thread 'main' panicked at 'message', main.rs:5:9
  const m = /thread '[^']*' panicked at '([\s\S]*?)', ([^\s:]+\.rs):(\d+):\d+/.exec(stderr);
  if (!m) return undefined;
  const frame = innermostOwn([{ file: relative(m[2]!.replace(/^src\//, '')), line: Number(m[3]) }], own);
  return { exceptionType: 'panic', message: m[1]!, file: frame?.file ?? null, line: frame?.line ?? null };
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
