/**
 * Output comparison, done by the service outside the sandbox: expected outputs
 * never enter a container.
 *
 * A program's output is up to 16 MiB of candidate-chosen bytes, compared on the event loop.
 * Every checker is therefore one forward pass of two cursors over the two buffers: nothing is
 * split into arrays of lines or tokens (8M short lines cost seconds of allocation), no regular
 * expression is run, and the pass gives the event loop a turn after every slice of work, so a
 * 16 MiB comparison delays other requests by a slice, not by the whole scan.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
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

/**
 * Bytes scanned between two turns of the event loop. 64 KiB is well under a millisecond once V8
 * has compiled the loops, and about a millisecond before it has: a service's first big output
 * runs them interpreted (a first 1 MiB slice took 10 to 16 ms here, and more on a busy machine).
 */
const SLICE_BYTES = 64 * 1024;
/**
 * What moving on to the next line or token costs, in bytes of scanning: millions of one-byte
 * tokens are more work per byte than one long token, and their slices must stay as short.
 */
const ITEM_COST_BYTES = 16;
/** Up to this length a loop compares faster than a call into Buffer.compare. */
const SHORT_COMPARE_BYTES = 64;
const PREVIEW_CHARS = 60;

/** The work left in the current slice, shared by both cursors of a comparison. */
class Pacer {
  left = SLICE_BYTES;

  async pause(): Promise<void> {
    await nextTurn();
    this.left = SLICE_BYTES;
  }
}

/** `paused`: the slice ran out in the middle of an item; call `next` again after a pause. */
type Step = 'item' | 'end' | 'paused';

interface Cursor {
  /** The current item, once `next` answered `item`: bytes[start, end). */
  readonly start: number;
  readonly end: number;
  next(pacer: Pacer): Step;
}

/** Pauses until the cursor gets past the item it stopped in. Callers await only a `paused` step, so most items cost no promise. */
async function resume(cursor: Cursor, pacer: Pacer): Promise<Step> {
  let step: Step;
  do {
    await pacer.pause();
    step = cursor.next(pacer);
  } while (step === 'paused');
  return step;
}


/** Whitespace in the sense of every checker: ASCII space, tab, CR, LF, VT, FF. */
function isSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

/** Whitespace trimmed from a line's end: the same, without \n (lines end at it). */
function isLineSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0b || code === 0x0c || code === 0x0d;
}

/** Whitespace-separated tokens. */
class TokenCursor implements Cursor {
  start = 0;
  end = 0;
  private pos = 0;
  private inToken = false;

  constructor(private readonly bytes: Buffer) {}

  next(pacer: Pacer): Step {
    const bytes = this.bytes;
    const length = bytes.length;
    const from = this.pos;
    const stop = Math.min(length, from + Math.max(pacer.left, 0));
    let p = from;
    if (!this.inToken) {
      while (p < stop && isSpace(bytes[p]!)) p++;
      if (p === stop) {
        pacer.left -= p - from;
        this.pos = p;
        return p === length ? 'end' : 'paused';
      }
      this.inToken = true;
      this.start = p;
    }
    while (p < stop && !isSpace(bytes[p]!)) p++;
    pacer.left -= p - from;
    this.pos = p;
    if (p === stop && p < length) return 'paused';
    this.inToken = false;
    this.end = p;
    pacer.left -= ITEM_COST_BYTES;
    return 'item';
  }
}

/**
 * Lines with trailing whitespace trimmed (the item ends after its last other byte), within
 * bytes[0, significantEnd): the trailing blank lines are left out by never reaching them.
 */
class LineCursor implements Cursor {
  start = 0;
  end = 0;
  private pos = 0;
  private inLine = false;
  private finished: boolean;

  constructor(
    private readonly bytes: Buffer,
    private readonly significantEnd: number,
  ) {
    this.finished = significantEnd === 0;
  }

  next(pacer: Pacer): Step {
    if (!this.inLine) {
      if (this.finished) return 'end';
      this.inLine = true;
      this.start = this.pos;
      this.end = this.pos;
    }
    const bytes = this.bytes;
    const limit = this.significantEnd;
    const from = this.pos;
    const stop = Math.min(limit, from + Math.max(pacer.left, 0));
    let p = from;
    // Trimming as the scan goes (remembering where the last non-space byte ended) instead of
    // walking back from the newline keeps the pass forward-only, hence resumable.
    let end = this.end;
    while (p < stop) {
      const code = bytes[p]!;
      if (code === 0x0a) break;
      p++;
      if (!isLineSpace(code)) end = p;
    }
    pacer.left -= p - from;
    this.end = end;
    if (p < stop) {
      this.pos = p + 1;
    } else if (p === limit) {
      this.pos = p;
      this.finished = true;
    } else {
      this.pos = p;
      return 'paused';
    }
    this.inLine = false;
    pacer.left -= ITEM_COST_BYTES;
    return 'item';
  }
}

/** Where the text ends once trailing whitespace (blank lines included) is cut off. */
async function significantEnd(bytes: Buffer, pacer: Pacer): Promise<number> {
  let end = bytes.length;
  for (;;) {
    const stop = Math.max(0, end - Math.max(pacer.left, 0));
    let i = end;
    while (i > stop && isSpace(bytes[i - 1]!)) i--;
    pacer.left -= end - i;
    if (i > stop || i === 0) return i;
    end = i;
    await pacer.pause();
  }
}

function sameBytes(a: Buffer, aStart: number, aEnd: number, b: Buffer, bStart: number, bEnd: number): boolean {
  const length = aEnd - aStart;
  if (length !== bEnd - bStart) return false;
  if (length > SHORT_COMPARE_BYTES) return a.compare(b, bStart, bEnd, aStart, aEnd) === 0;
  for (let i = 0; i < length; i++) if (a[aStart + i] !== b[bStart + i]) return false;
  return true;
}

/** latin1 maps each byte to one char, so what a message quotes is the bytes compared. */
function preview(bytes: Buffer, start: number, end: number): string {
  return JSON.stringify(end - start > PREVIEW_CHARS ? `${bytes.toString('latin1', start, start + PREVIEW_CHARS)}…` : bytes.toString('latin1', start, end));
}

const EXACT_DIGITS = 15;
const EXACT_POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);
/** An exponent this large overflows or underflows whatever digits precede it; counting further would only lose precision. */
const EXPONENT_CAP = 1e9;

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function digitsFrom(bytes: Buffer, i: number, end: number): number {
  while (i < end && isDigit(bytes[i]!)) i++;
  return i;
}

/**
 * The value of a decimal or scientific number, exactly as Number() reads it, or undefined for
 * anything else: "0x10", "1_000" and "inf" compare as text. The grammar is
 * [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?, scanned once (the regular
 * expression for it backtracks quadratically on a long run of digits ending in a letter). Short
 * numbers are computed exactly here (most tokens are); any other goes to Number() itself, which
 * reads a long run of digits in one pass.
 */
export function decimalValue(bytes: Buffer, start = 0, end = bytes.length): number | undefined {
  if (end - start > LONG_NUMBER_BYTES) return longDecimalValue(bytes.toString('latin1', start, end));
  let i = start;
  const negative = i < end && bytes[i] === 0x2d;
  if (i < end && (bytes[i] === 0x2b || bytes[i] === 0x2d)) i++;
  const intStart = i;
  const intEnd = digitsFrom(bytes, i, end);
  let fracStart = intEnd;
  let fracEnd = intEnd;
  if (intEnd < end && bytes[intEnd] === 0x2e) {
    fracStart = intEnd + 1;
    fracEnd = digitsFrom(bytes, fracStart, end);
  }
  if (intEnd - intStart + (fracEnd - fracStart) === 0) return undefined;
  i = fracEnd;
  let exponent = 0;
  if (i < end && (bytes[i] === 0x65 || bytes[i] === 0x45)) {
    let j = i + 1;
    const negativeExponent = j < end && bytes[j] === 0x2d;
    if (j < end && (bytes[j] === 0x2b || bytes[j] === 0x2d)) j++;
    const expEnd = digitsFrom(bytes, j, end);
    if (expEnd === j) return undefined;
    for (let k = j; k < expEnd && exponent < EXPONENT_CAP; k++) exponent = exponent * 10 + (bytes[k]! - 0x30);
    if (negativeExponent) exponent = -exponent;
    i = expEnd;
  }
  if (i !== end) return undefined;
  const exact = exactMagnitude(bytes, intStart, intEnd, fracStart, fracEnd, exponent - (fracEnd - fracStart));
  if (exact === undefined) return Number(bytes.toString('latin1', start, end));
  return negative ? -exact : exact;
}

/**
 * Past this length a token is read by V8's own code instead of the scan above, which is not
 * paced: a service's first long token ran that scan interpreted, and a million digits held the
 * event loop over 100 ms (a CPU profile of healthz-attack: digitsFrom), where this path takes ~2 ms.
 */
const LONG_NUMBER_BYTES = 4096;
/** Any byte no decimal number has: one character class, so the search is one linear pass, with no backtracking. */
const NOT_IN_A_DECIMAL = /[^0-9+\-.eE]/;

/**
 * decimalValue for a long token. Made of digits, signs, dots and exponent marks only, a text
 * Number() reads is exactly one the grammar above admits (no hex, no Infinity, no separators, no
 * whitespace), and any other it reads as NaN.
 */
function longDecimalValue(text: string): number | undefined {
  if (NOT_IN_A_DECIMAL.test(text)) return undefined;
  const value = Number(text);
  return Number.isNaN(value) ? undefined : value;
}

/** digits × 10^scale (digits are bytes[intStart, intEnd) then bytes[fracStart, fracEnd)) when one double operation gives it correctly rounded; else undefined. */
function exactMagnitude(bytes: Buffer, intStart: number, intEnd: number, fracStart: number, fracEnd: number, scale: number): number | undefined {
  // The first significant digit, skipping leading zeros of both parts.
  let first = intStart;
  while (first < intEnd && bytes[first] === 0x30) first++;
  if (first === intEnd) {
    first = fracStart;
    while (first < fracEnd && bytes[first] === 0x30) first++;
    if (first === fracEnd) return 0;
  }
  const inInt = first < intEnd;
  const significant = inInt ? intEnd - first + (fracEnd - fracStart) : fracEnd - first;
  if (significant > EXACT_DIGITS || Math.abs(scale) >= EXACT_POWERS_OF_TEN.length) return undefined;
  let mantissa = 0;
  for (let k = first; k < intEnd; k++) mantissa = mantissa * 10 + (bytes[k]! - 0x30);
  for (let k = inInt ? fracStart : first; k < fracEnd; k++) mantissa = mantissa * 10 + (bytes[k]! - 0x30);
  return scale >= 0 ? mantissa * EXACT_POWERS_OF_TEN[scale]! : mantissa / EXACT_POWERS_OF_TEN[-scale]!;
}

export function floatsClose(actual: number, expected: number, absTolerance: number, relTolerance: number): boolean {
  const diff = Math.abs(actual - expected);
  return diff <= absTolerance || diff <= relTolerance * Math.abs(expected);
}

type ItemsEqual = (actual: Buffer, a: Cursor, expected: Buffer, e: Cursor, pacer: Pacer) => boolean;

/**
 * Walks both texts item by item: the first unequal pair is the answer, else the counts, each
 * counted by running the longer text's cursor to its end.
 */
async function compareItems(actual: Buffer, a: Cursor, expected: Buffer, e: Cursor, noun: 'line' | 'token', equal: ItemsEqual, pacer: Pacer): Promise<CheckResult> {
  let matched = 0;
  for (;;) {
    let stepA = a.next(pacer);
    if (stepA === 'paused') stepA = await resume(a, pacer);
    let stepE = e.next(pacer);
    if (stepE === 'paused') stepE = await resume(e, pacer);
    if (stepA === 'end' && stepE === 'end') return { ok: true };
    if (stepA === 'end' || stepE === 'end') {
      const longer = stepA === 'end' ? e : a;
      let longerCount = matched + 1;
      for (;;) {
        let step = longer.next(pacer);
        if (step === 'paused') step = await resume(longer, pacer);
        if (step === 'end') break;
        longerCount++;
      }
      const [expectedCount, actualCount] = stepA === 'end' ? [longerCount, matched] : [matched, longerCount];
      return { ok: false, message: `expected ${expectedCount} ${noun}s, got ${actualCount}` };
    }
    matched++;
    // What comparing costs is not paced (reading a long number scans it at once): start it on a fresh slice.
    if (pacer.left <= 0) await pacer.pause();
    if (!equal(actual, a, expected, e, pacer)) {
      return {
        ok: false,
        message: `${noun} ${matched}: expected ${preview(expected, e.start, e.end)}, got ${preview(actual, a.start, a.end)}`,
      };
    }
  }
}

const bytesEqual: ItemsEqual = (actual, a, expected, e) => sameBytes(actual, a.start, a.end, expected, e.start, e.end);

function numbersClose(options: CheckerOptions): ItemsEqual {
  return (actual, a, expected, e, pacer) => {
    if (sameBytes(actual, a.start, a.end, expected, e.start, e.end)) return true;
    // Reading the numbers scans both tokens again: it is charged to the slice like scanning them.
    pacer.left -= a.end - a.start + (e.end - e.start);
    const actualNumber = decimalValue(actual, a.start, a.end);
    if (actualNumber === undefined) return false;
    const expectedNumber = decimalValue(expected, e.start, e.end);
    if (expectedNumber === undefined) return false;
    return floatsClose(actualNumber, expectedNumber, options.absTolerance, options.relTolerance);
  };
}

async function firstDifference(actual: Buffer, expected: Buffer, pacer: Pacer): Promise<CheckResult> {
  const n = Math.min(actual.length, expected.length);
  for (let from = 0; from < n; from += SLICE_BYTES) {
    const to = Math.min(n, from + SLICE_BYTES);
    if (actual.compare(expected, from, to, from, to) !== 0) {
      let i = from;
      while (actual[i] === expected[i]) i++;
      return { ok: false, message: `first difference at byte ${i}` };
    }
    pacer.left -= to - from;
    if (pacer.left <= 0) await pacer.pause();
  }
  return { ok: false, message: `expected ${expected.length} bytes, got ${actual.length}` };
}

/** Compares a program's output with the expected output; yields to the event loop as it goes. */
export async function check(actualBytes: Buffer, expectedBytes: Buffer, options: CheckerOptions): Promise<CheckResult> {
  const pacer = new Pacer();
  switch (options.mode) {
    case 'exact':
      if (actualBytes.equals(expectedBytes)) return { ok: true };
      return firstDifference(actualBytes, expectedBytes, pacer);
    case 'lines': {
      const actual = new LineCursor(actualBytes, await significantEnd(actualBytes, pacer));
      const expected = new LineCursor(expectedBytes, await significantEnd(expectedBytes, pacer));
      return compareItems(actualBytes, actual, expectedBytes, expected, 'line', bytesEqual, pacer);
    }
    case 'tokens':
      return compareItems(actualBytes, new TokenCursor(actualBytes), expectedBytes, new TokenCursor(expectedBytes), 'token', bytesEqual, pacer);
    case 'float':
      return compareItems(actualBytes, new TokenCursor(actualBytes), expectedBytes, new TokenCursor(expectedBytes), 'token', numbersClose(options), pacer);
  }
}
