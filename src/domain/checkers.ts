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

// Whitespace in the sense of every checker: ASCII space, tab, CR, LF, VT, FF.
const WHITESPACE = /[ \t\r\n\v\f]+/;
const TRAILING_WHITESPACE = /[ \t\r\v\f]+$/;

function preview(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

/** latin1 maps each byte to one char, so comparisons stay byte-exact. */
function text(bytes: Buffer): string {
  return bytes.toString('latin1');
}

function significantLines(s: string): string[] {
  const lines = s.split('\n').map((line) => line.replace(TRAILING_WHITESPACE, ''));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function tokens(s: string): string[] {
  return s.split(WHITESPACE).filter((t) => t.length > 0);
}

// A decimal or scientific number, nothing else: "0x10", "1_000" and "inf" compare as text.
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

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
        if (!NUMBER.test(a) || !NUMBER.test(e)) return false;
        return floatsClose(Number(a), Number(e), options.absTolerance, options.relTolerance);
      });
  }
}
