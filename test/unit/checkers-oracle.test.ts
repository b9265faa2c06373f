/**
 * The checkers scan two cursors over the bytes and pause every slice of work; the
 * implementation they replaced (split into arrays of lines and tokens, then compared) is kept
 * here as the oracle. On seeded random inputs, small ones and a few of several MiB that pause
 * inside lines, tokens and numbers, both must give the same answer, message included.
 */
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { check, decimalValue, type CheckerOptions, type CheckResult } from '../../src/domain/checkers.js';
import { checkerModes } from '../../src/domain/vocabulary.js';

const MiB = 1024 * 1024;

// ---- the oracle: src/domain/checkers.ts as of commit 1e0d391, verbatim but for exports ----
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

function isDecimalNumber(s: string): boolean {
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

function floatsClose(actual: number, expected: number, absTolerance: number, relTolerance: number): boolean {
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

function oracle(actualBytes: Buffer, expectedBytes: Buffer, options: CheckerOptions): CheckResult {
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
// ---- end of the oracle ----

/** mulberry32: deterministic, so a disagreement reproduces from its seed. */
function seeded(initial: number) {
  let state = initial >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const below = (n: number) => Math.floor(random() * n);
  const pick = <T>(xs: readonly T[]): T => xs[below(xs.length)]!;
  return { random, below, pick };
}
type Random = ReturnType<typeof seeded>;

// Every kind of byte the checkers treat differently: each whitespace, \n, digits and number
// syntax, bytes above 0x7f (latin1), NUL, and runs longer than a message's 60-character preview.
const PIECES = [' ', ' ', '\t', '\r', '\n', '\n', '\v', '\f', '  \n', '\r\n', 'a', 'B', '1', '0', '.', 'e', 'E', '-', '+', '\xa0', '\xff', '\x00', '1.0', '1e0', '0.5', '3.14159', '-0', '1e400', 'nan', 'x'.repeat(70), '9'.repeat(70), ' '.repeat(70)];
const NUMBERS = ['1', '1.0', '1.0000001', '0.9999999', '1e0', '10e-1', '+1', '.5', '0.50', '5e-1', '1e400', '-0', '0', '1e-400', '12345678901234567890', '12345678901234567891'];

function randomText(r: Random, maxPieces: number): string {
  let s = '';
  for (let k = r.below(maxPieces + 1); k > 0; k--) s += r.below(4) === 0 ? r.pick(NUMBERS) : r.pick(PIECES);
  return s;
}

/** Something close to `s`: most interesting pairs are nearly equal, so the comparison goes deep. */
function variant(r: Random, s: string): string {
  switch (r.below(6)) {
    case 0:
      return s;
    case 1:
      return s + r.pick(['\n', '\n\n', ' \t\n', '\r\n\n', ' ', '\v']);
    case 2: {
      // One whitespace run changed: equal for tokens and float, maybe for lines.
      const i = r.below(s.length + 1);
      return s.slice(0, i) + r.pick([' ', '\t', '\n', '  ', ' \r']) + s.slice(i);
    }
    case 3: {
      const i = r.below(s.length + 1);
      return s.slice(0, i) + r.pick(PIECES) + s.slice(i + r.below(3));
    }
    case 4:
      // A number swapped for another, close or not.
      return s.replace(/1\.0|1e0|0\.5|-0|\b1\b/, () => r.pick(NUMBERS));
    default:
      return randomText(r, 12);
  }
}

function randomOptions(r: Random): Omit<CheckerOptions, 'mode'> {
  return { absTolerance: r.pick([0, 1e-6, 0.5]), relTolerance: r.pick([0, 1e-6, 1e-3]) };
}

async function agree(actual: string, expected: string, options: CheckerOptions, what: string): Promise<void> {
  const a = Buffer.from(actual, 'latin1');
  const e = Buffer.from(expected, 'latin1');
  assert.deepEqual(await check(a, e, options), oracle(a, e, options), what);
}

describe('checkers agree with the implementation they replaced', { timeout: 120_000 }, () => {
  it('on 5,000 seeded small pairs, in every mode', async () => {
    const r = seeded(12);
    for (let n = 0; n < 5_000; n++) {
      const actual = randomText(r, 16);
      const expected = variant(r, actual);
      const [a, e] = r.below(2) === 0 ? [actual, expected] : [expected, actual];
      for (const mode of checkerModes) await agree(a, e, { mode, ...randomOptions(r) }, `#${n} ${mode}: ${JSON.stringify(a)} vs ${JSON.stringify(e)}`);
    }
  });

  it('on pairs of several MiB, whose scans pause inside lines, tokens and numbers', async () => {
    const r = seeded(34);
    const long = (unit: string, bytes: number) => unit.repeat(Math.ceil(bytes / unit.length));
    const pairs: [string, string, string][] = [];
    for (let n = 0; n < 6; n++) {
      // Millions of random pieces: pauses fall at random places inside items.
      let big = '';
      while (big.length < 3 * MiB) big += randomText(r, 64);
      pairs.push([`random ${n}`, big, variant(r, big) + (r.below(2) ? '' : variant(r, 'x'))]);
    }
    const spaces = long(' ', 3 * MiB);
    const digits = long('7', 3 * MiB);
    pairs.push(
      ['a 3 MiB line of spaces, then a letter', `x${spaces}x\n`, 'x x\n'],
      ['a 3 MiB line of spaces, trimmed', `x${spaces}\n\n${spaces}`, 'x\n'],
      ['3 MiB of blank lines before a line', `${long(' \n', 3 * MiB)}y\n`, `${long('\n', 3 * MiB)}y`],
      ['a 3 MiB token differing at its end', `${digits}1`, `${digits}2`],
      ['3 MiB numbers, close', `${digits}.5`, `${digits}.5000000001`],
      ['3 MiB numbers, one with a letter', `${digits}a`, '1'],
      ['many lines, one more', long('1\n', 3 * MiB), `${long('1\n', 3 * MiB)}1`],
      ['many tokens, numerically equal', long('1 ', 3 * MiB), long('1.0\t', 4 * MiB).slice(0, 2 * (3 * MiB) + 2)],
    );
    for (const [name, actual, expected] of pairs) {
      for (const mode of checkerModes) await agree(actual, expected, { mode, absTolerance: 1e-6, relTolerance: 1e-6 }, `${name}, ${mode}`);
    }
  });
});

describe('decimalValue reads numbers as Number() does', () => {
  const same = (s: string) => {
    const value = decimalValue(Buffer.from(s, 'latin1'));
    assert.ok(Object.is(value, Number(s)), `${s.length > 200 ? `${s.slice(0, 100)}…${s.slice(-100)}` : s}: ${value}, Number() ${Number(s)}`);
  };

  it('on seeded numbers of up to 3,000 digits, with leading zeros, points and exponents', () => {
    const r = seeded(56);
    for (let n = 0; n < 3_000; n++) {
      const digitCount = r.pick([1, 2, 15, 16, 17, 20, 300, 799, 800, 801, 3_000]);
      let digits = r.below(4) === 0 ? '0'.repeat(r.below(40)) : '';
      for (let k = 0; k < digitCount; k++) digits += String(r.below(10));
      if (r.below(3) === 0) digits = digits.slice(0, -1) + '0'.repeat(r.below(900)) + digits.slice(-1);
      const point = r.below(digits.length + 1);
      const mantissa = r.below(3) === 0 ? digits : `${digits.slice(0, point)}.${digits.slice(point)}`;
      const exponent = r.below(2) === 0 ? '' : `${r.pick(['e', 'E'])}${r.pick(['', '+', '-'])}${r.pick([0, 1, 22, 23, 300, 308, 309, 330, 400, 3_000, 1e9, 1e12])}`;
      same(`${r.pick(['', '+', '-'])}${mantissa}${exponent}`);
    }
  });

  it('at halfway points between two doubles, exactly and just above or below', () => {
    const r = seeded(78);
    const view = new DataView(new ArrayBuffer(8));
    for (let n = 0; n < 300; n++) {
      view.setUint32(0, Math.floor(r.random() * 0x7fe00000));
      view.setUint32(4, Math.floor(r.random() * 2 ** 32));
      const bits = view.getBigUint64(0);
      const biased = Number(bits >> 52n);
      const fraction = bits & ((1n << 52n) - 1n);
      // value = m × 2^e; its upper halfway point is (2m + 1) × 2^(e - 1), written in decimal.
      const m = biased === 0 ? fraction : fraction | (1n << 52n);
      const e = (biased === 0 ? 1 : biased) - 1075;
      const shift = e - 1;
      const [digits, scale] = shift >= 0 ? [((2n * m + 1n) << BigInt(shift)).toString(), 0] : [((2n * m + 1n) * 5n ** BigInt(-shift)).toString(), shift];
      const below = (BigInt(digits) - 1n).toString();
      same(`${digits}e${scale}`);
      same(`${digits}${'0'.repeat(1_000)}1e${scale - 1_001}`);
      same(`${below}${'9'.repeat(1_000)}e${scale - 1_000}`);
      same(`0.${'0'.repeat(r.below(50))}${digits}`);
    }
  });
});

describe('checkers give the event loop turns', () => {
  it('while comparing 16 MiB of short tokens and of short lines', async () => {
    const tokens16 = Buffer.from('1 '.repeat(8 * MiB), 'latin1');
    const lines16 = Buffer.from('1\n'.repeat(8 * MiB), 'latin1');
    for (const [mode, actual] of [['tokens', tokens16], ['float', tokens16], ['lines', lines16]] as const) {
      let turns = 0;
      let done = false;
      const count = async () => {
        while (!done) {
          await nextTurn();
          turns++;
        }
      };
      const counting = count();
      const result = await check(actual, Buffer.concat([actual, Buffer.from('2')]), { mode, absTolerance: 0, relTolerance: 0 });
      done = true;
      await counting;
      assert.equal(result.ok, false);
      // A scan that does not pause gives no turn at all before it answers.
      assert.ok(turns > 8, `${mode}: ${turns} turns of the event loop during the comparison`);
    }
  });
});
