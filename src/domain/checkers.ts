/**
 * Output comparison, done by the service outside the sandbox: expected outputs
 * never enter a container. Pure functions over bytes.
 */
import type { CheckerMode } from './vocabulary.js';

export interface CheckerOptions {
  mode: CheckerMode;
  /** float mode: numbers equal when |a - b| <= absTolerance ... */
  absTolerance: number;
  /** ... or |a - b| <= relTolerance * |expected|. */
  relTolerance: number;
}

export interface CheckResult {
  ok: boolean;
  /** Where and how the output differs, for a wrong answer. */
  message?: string;
}

// Whitespace in the sense of every checker: ASCII space, tab, CR, LF, VT, FF. A split on a
// character class with `+` is linear; anything anchored at a line's end is done by hand, since
// V8's backtracking makes `[ \t]+$` quadratic on a long run of spaces followed by a letter.
const WHITESPACE = /[ \t\r\n\v\f]+/;

function isLineSpace(code: number): boolean {
  // space, \t, \v, \f, \r (no \n: lines are split on it first)
  return code === 0x20 || code === 0x09 || code === 0x0b || code === 0x0c || code === 0x0d;
}

function trimTrailingSpace(line: string): string {
  let end = line.length;
  while (end > 0 && isLineSpace(line.charCodeAt(end - 1))) end--;
  return end === line.length ? line : line.slice(0, end);
}

function preview(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

/** latin1 maps each byte to one char, so comparisons stay byte-exact. */
function text(bytes: Buffer): string {
  return bytes.toString('latin1');
}

function significantLines(s: string): string[] {
  const lines = s.split('\n').map(trimTrailingSpace);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function tokens(s: string): string[] {
  return s.split(WHITESPACE).filter((t) => t.length > 0);
}

function digitsFrom(s: string, i: number): number {
  while (i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) i++;
  return i;
}

/**
 * A decimal or scientific number, nothing else: "0x10", "1_000" and "inf" compare as text.
 * [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?, scanned once: the regular
 * expression for it backtracks quadratically on a long run of digits ending in a letter.
 */
export function isDecimalNumber(s: string): boolean {
  let i = s[0] === '+' || s[0] === '-' ? 1 : 0;
  const intEnd = digitsFrom(s, i);
  let mantissaDigits = intEnd - i;
  i = intEnd;
  if (s[i] === '.') {
    const fracEnd = digitsFrom(s, i + 1);
    mantissaDigits += fracEnd - i - 1;
    i = fracEnd;
  }
  if (mantissaDigits === 0) return false;
  if (s[i] === 'e' || s[i] === 'E') {
    let j = i + 1;
    if (s[j] === '+' || s[j] === '-') j++;
    const expEnd = digitsFrom(s, j);
    if (expEnd === j) return false;
    i = expEnd;
  }
  return i === s.length;
}

export function floatsClose(actual: number, expected: number, absTolerance: number, relTolerance: number): boolean {
  const diff = Math.abs(actual - expected);
  return diff <= absTolerance || diff <= relTolerance * Math.abs(expected);
}

function compareTokens(actual: string[], expected: string[], equal: (a: string, e: string) => boolean): CheckResult {
  const n = Math.min(actual.length, expected.length);
  for (let i = 0; i < n; i++) {
    if (!equal(actual[i]!, expected[i]!)) {
      return { ok: false, message: `token ${i + 1}: expected ${preview(expected[i]!)}, got ${preview(actual[i]!)}` };
    }
  }
  if (actual.length !== expected.length) {
    return { ok: false, message: `expected ${expected.length} tokens, got ${actual.length}` };
  }
  return { ok: true };
}

export function check(actualBytes: Buffer, expectedBytes: Buffer, options: CheckerOptions): CheckResult {
  switch (options.mode) {
    case 'exact': {
      if (actualBytes.equals(expectedBytes)) return { ok: true };
      const n = Math.min(actualBytes.length, expectedBytes.length);
      let i = 0;
      while (i < n && actualBytes[i] === expectedBytes[i]) i++;
      return {
        ok: false,
        message: i === n ? `expected ${expectedBytes.length} bytes, got ${actualBytes.length}` : `first difference at byte ${i}`,
      };
    }
    case 'lines': {
      const actual = significantLines(text(actualBytes));
      const expected = significantLines(text(expectedBytes));
      const n = Math.min(actual.length, expected.length);
      for (let i = 0; i < n; i++) {
        if (actual[i] !== expected[i]) {
          return { ok: false, message: `line ${i + 1}: expected ${preview(expected[i]!)}, got ${preview(actual[i]!)}` };
        }
      }
      if (actual.length !== expected.length) {
        return { ok: false, message: `expected ${expected.length} lines, got ${actual.length}` };
      }
      return { ok: true };
    }
    case 'tokens':
      return compareTokens(tokens(text(actualBytes)), tokens(text(expectedBytes)), (a, e) => a === e);
    case 'float':
      return compareTokens(tokens(text(actualBytes)), tokens(text(expectedBytes)), (a, e) => {
        if (a === e) return true;
        if (!isDecimalNumber(a) || !isDecimalNumber(e)) return false;
        return floatsClose(Number(a), Number(e), options.absTolerance, options.relTolerance);
      });
  }
}
