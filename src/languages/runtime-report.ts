/**
 * Reading a runtime's failure report (a traceback, a stack, a panic) out of a captured stderr:
 * what each language's parser (its definition's `failureLocation`) is given, returns and shares.
 * The program's stderr is its own to write, so a location is a hint for labelers, never an input
 * to a verdict.
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

export interface Frame {
  file: string;
  line: number;
}

/** A language's parser: undefined when nothing in the report was recognised. */
export type FailureLocationParser = (stderr: string, own: OwnCode) => FailureLocation | undefined;

const BOX = '/box/';

/**
 * stderr is the candidate's to write, up to the output limit (16 MiB), so it is read as lines
 * from a bounded window, each line cut to a bounded length, with patterns anchored at the line's
 * start and free of ambiguous quantifiers: the work is linear in the window, never in what the
 * program chose to print. A runtime's report stands at one end of stderr (Node's head, a
 * traceback or panic at the tail), so the window is the head and the tail.
 */
export const WINDOW_CHARS = 64 * 1024;
export const MAX_LINE_CHARS = 4096;

/**
 * The part of a captured stderr where a runtime's report can stand, as text: all of it when
 * short, else its head and its tail. Decoding and searching all 16 MiB a program may print held
 * the event loop for tens of milliseconds per test; the window bounds that whatever it printed.
 */
export function reportWindow(stderr: Buffer): string {
  if (stderr.length <= 2 * WINDOW_CHARS) return stderr.toString('utf8');
  return `${stderr.toString('utf8', 0, WINDOW_CHARS)}\n${stderr.toString('utf8', stderr.length - WINDOW_CHARS)}`;
}

export function reportLines(stderr: string): string[] {
  const text = stderr.length <= 2 * WINDOW_CHARS ? stderr : `${stderr.slice(0, WINDOW_CHARS)}\n${stderr.slice(-WINDOW_CHARS)}`;
  return text.split('\n').map((line) => (line.length > MAX_LINE_CHARS ? line.slice(0, MAX_LINE_CHARS) : line));
}

/** The line without its leading spaces and tabs, and whether there were any. */
export function dedent(line: string): { text: string; indented: boolean } {
  let i = 0;
  while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
  return { text: i === 0 ? line : line.slice(i), indented: i > 0 };
}

export function relative(path: string): string {
  if (path.startsWith(BOX)) return path.slice(BOX.length);
  return path.startsWith('./') ? path.slice(2) : path;
}

/** The first frame (in the given order, innermost first) that lies in the candidate's own lines. */
export function innermostOwn(frames: Frame[], own: OwnCode): Frame | undefined {
  return frames.find((f) => {
    if (!own.files.includes(f.file)) return false;
    if (own.composed && f.file === own.composed.file) return f.line <= own.composed.lines;
    return true;
  });
}
