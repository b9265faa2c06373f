/**
 * Comparing a function's return value with the expected one, outside the
 * sandbox. Values arrive as JSON; the in-sandbox runners encode what JSON
 * cannot hold as {"$int": "<digits>"} (integers beyond 2^53) and
 * {"$float": "nan" | "inf" | "-inf"}; an expected value may use the same forms.
 */

export interface ValueTolerance {
  /** Numbers equal within either tolerance; undefined compares them exactly. */
  absTolerance?: number;
  relTolerance?: number;
}

type Special = { kind: 'int'; digits: bigint } | { kind: 'float'; value: number };

function special(v: unknown): Special | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const keys = Object.keys(v);
  if (keys.length !== 1) return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.$int === 'string' && /^-?\d+$/.test(o.$int)) return { kind: 'int', digits: BigInt(o.$int) };
  if (o.$float === 'nan') return { kind: 'float', value: NaN };
  if (o.$float === 'inf') return { kind: 'float', value: Infinity };
  if (o.$float === '-inf') return { kind: 'float', value: -Infinity };
  return undefined;
}

/** A number, as a bigint when it is an integer (so 2^60 compares exactly), else as a double. */
function numeric(v: unknown): { int?: bigint; float: number } | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? { int: BigInt(v), float: v } : { float: v };
  const s = special(v);
  if (s?.kind === 'int') return { int: s.digits, float: Number(s.digits) };
  if (s?.kind === 'float') return { float: s.value };
  return undefined;
}

function numbersEqual(a: { int?: bigint; float: number }, b: { int?: bigint; float: number }, tol: ValueTolerance): boolean {
  if (a.int !== undefined && b.int !== undefined && tol.absTolerance === undefined && tol.relTolerance === undefined) return a.int === b.int;
  if (Number.isNaN(a.float) || Number.isNaN(b.float)) return Number.isNaN(a.float) && Number.isNaN(b.float);
  if (a.float === b.float) return true;
  if (!Number.isFinite(a.float) || !Number.isFinite(b.float)) return false;
  const diff = Math.abs(a.float - b.float);
  return (tol.absTolerance !== undefined && diff <= tol.absTolerance) || (tol.relTolerance !== undefined && diff <= tol.relTolerance * Math.abs(b.float));
}

/**
 * Where two values first differ ("[2].name"), or undefined when they are equal. Recursive, and
 * bounded: it descends only while both sides are containers, so no deeper than `expected`, which
 * the request schema bounds (MAX_JSON_DEPTH in src/schemas.ts); the candidate's value may nest
 * deeper (up to the runners' own limit) without making this go deeper.
 */
export function valueDifference(actual: unknown, expected: unknown, tol: ValueTolerance = {}, path = ''): string | undefined {
  const an = numeric(actual);
  const en = numeric(expected);
  if (an || en) return an && en && numbersEqual(an, en, tol) ? undefined : path || '(value)';
  if (Array.isArray(actual) || Array.isArray(expected)) {
    if (!Array.isArray(actual) || !Array.isArray(expected) || actual.length !== expected.length) return path || '(value)';
    for (let i = 0; i < actual.length; i++) {
      const d = valueDifference(actual[i], expected[i], tol, `${path}[${i}]`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  if (actual !== null && expected !== null && typeof actual === 'object' && typeof expected === 'object') {
    const a = actual as Record<string, unknown>;
    const e = expected as Record<string, unknown>;
    const keys = Object.keys(e);
    if (Object.keys(a).length !== keys.length || !keys.every((k) => Object.hasOwn(a, k))) return path || '(value)';
    for (const k of keys) {
      const d = valueDifference(a[k], e[k], tol, `${path}.${k}`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  return actual === expected ? undefined : path || '(value)';
}
