/**
 * Program variants for process-supervision labeling: a teacher edits a correct
 * reference one line or block at a time, and each variant must say which
 * reference lines its outcome is evidence about.
 */
import { BadRequestError } from '../errors.js';

export const editOps = ['replace', 'insert', 'delete'] as const;
export type EditOp = (typeof editOps)[number];

/**
 * Lines are 1-based, inclusive. insert: `text` goes before line `startLine`
 * (startLine = lineCount + 1 appends). replace/delete: lines startLine..endLine
 * (endLine defaults to startLine). `text` is split on "\n"; a trailing "\n" does
 * not add a line, so "" and "\n" are both one empty line.
 */
export interface Edit {
  op: EditOp;
  startLine: number;
  endLine?: number;
  text?: string;
}

export interface Variant {
  source: string;
  /** Reference lines the edit replaced or deleted (empty for insert). */
  removedReferenceLines: number[];
  /** Lines of the variant that the edit wrote (empty for delete). */
  addedVariantLines: number[];
  /**
   * Reference lines the variant's outcome is counted toward: the removed lines,
   * or for a pure insertion the reference line it went before (the last line
   * when appended). Empty only when nothing changed or the reference is empty.
   */
  anchorReferenceLines: number[];
  /** variant line → reference line, for lines the edit did not touch (undefined for added lines). */
  toReferenceLine(variantLine: number): number | undefined;
}

/**
 * Beyond these, a whole-program diff is not worth its cost and every line that is
 * not a common prefix or suffix counts as changed: such a variant is a rewrite,
 * not an edit, and labeling all of it is the honest answer.
 */
export const MAX_DIFF_LINES = 5000;
export const MAX_DIFF_DISTANCE = 1000;

interface SplitText {
  lines: string[];
  /** Each line's own terminator, so untouched lines come back byte for byte even in mixed files. */
  terminators: string[];
  /** The style new lines get: the first line break's. */
  eol: '\n' | '\r\n';
  endsWithNewline: boolean;
}

function split(text: string): SplitText {
  const lines: string[] = [];
  const terminators: string[] = [];
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) {
      lines.push(text.slice(start));
      terminators.push('');
      break;
    }
    const cr = nl > start && text.charCodeAt(nl - 1) === 13;
    lines.push(text.slice(start, cr ? nl - 1 : nl));
    terminators.push(cr ? '\r\n' : '\n');
    start = nl + 1;
  }
  const first = terminators[0];
  // An empty file says nothing about style; programs conventionally end with a newline.
  return { lines, terminators, eol: first === '\r\n' ? '\r\n' : '\n', endsWithNewline: text.length === 0 || text.endsWith('\n') };
}

export function lineCount(text: string): number {
  return split(text).lines.length;
}

/** A teacher may answer with "\r\n" whatever the reference uses; the reference's style wins. */
function editLines(text: string): string[] {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

interface OutLine {
  text: string;
  /** The reference line's own terminator; undefined for written lines and for a last line that had none. */
  terminator: string | undefined;
}

function join(out: OutLine[], ref: SplitText): string {
  let s = '';
  out.forEach((line, i) => {
    const last = i === out.length - 1;
    s += line.text + (last && !ref.endsWithNewline ? '' : (line.terminator ?? ref.eol));
  });
  return s;
}

function untouched(ref: SplitText, index: number): OutLine {
  const t = ref.terminators[index];
  return { text: ref.lines[index]!, terminator: t === '' ? undefined : t };
}

function range(from: number, to: number): number[] {
  const r: number[] = [];
  for (let i = from; i <= to; i++) r.push(i);
  return r;
}

function makeVariant(source: string, refOf: Int32Array, removed: number[], added: number[], anchors: number[]): Variant {
  return {
    source,
    removedReferenceLines: removed,
    addedVariantLines: added,
    anchorReferenceLines: anchors,
    toReferenceLine(variantLine: number): number | undefined {
      if (!Number.isInteger(variantLine) || variantLine < 1 || variantLine > refOf.length) return undefined;
      const r = refOf[variantLine - 1]!;
      return r === 0 ? undefined : r;
    },
  };
}

function invalid(message: string): BadRequestError {
  return new BadRequestError('VERDICT_INVALID_REQUEST', message);
}

function checkLine(value: unknown, field: string, min: number, max: number, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const valid = min > max ? `the reference has no lines to ${what}` : `must be an integer from ${min} to ${max}`;
    const got = typeof value === 'number' || value === undefined ? String(value) : JSON.stringify(value);
    throw invalid(`${field}: ${valid}, got ${got}`);
  }
  return value;
}

/** Edits come from a model, so every field is checked even though the type promises it. */
export function applyEdit(reference: string, edit: Edit, where: string): Variant {
  const ref = split(reference);
  const n = ref.lines.length;
  const { op, text } = edit;
  if (!(editOps as readonly unknown[]).includes(op)) throw invalid(`${where}.op: must be one of ${editOps.join(', ')}, got ${JSON.stringify(op)}`);
  if (text !== undefined && typeof text !== 'string') throw invalid(`${where}.text: must be a string`);
  if (op === 'delete' && text !== undefined) throw invalid(`${where}.text: delete takes no text`);
  if (op !== 'delete' && text === undefined) throw invalid(`${where}.text: ${op} needs text`);

  if (op === 'insert') {
    if (edit.endLine !== undefined) throw invalid(`${where}.endLine: insert takes no endLine`);
    const at = checkLine(edit.startLine, `${where}.startLine`, 1, n + 1, 'insert before');
    const written = editLines(text!);
    const out: OutLine[] = [];
    for (let i = 0; i < at - 1; i++) out.push(untouched(ref, i));
    for (const t of written) out.push({ text: t, terminator: undefined });
    for (let i = at - 1; i < n; i++) out.push(untouched(ref, i));
    const refOf = new Int32Array(out.length);
    for (let v = 0; v < out.length; v++) refOf[v] = v < at - 1 ? v + 1 : v < at - 1 + written.length ? 0 : v - written.length + 1;
    // An insertion has no reference line of its own: the line it precedes stands for it.
    const anchors = n === 0 ? [] : [Math.min(at, n)];
    return makeVariant(join(out, ref), refOf, [], range(at, at + written.length - 1), anchors);
  }

  const start = checkLine(edit.startLine, `${where}.startLine`, 1, n, op);
  const end = edit.endLine === undefined ? start : checkLine(edit.endLine, `${where}.endLine`, start, n, op);
  const written = op === 'replace' ? editLines(text!) : [];
  const out: OutLine[] = [];
  for (let i = 0; i < start - 1; i++) out.push(untouched(ref, i));
  for (const t of written) out.push({ text: t, terminator: undefined });
  for (let i = end; i < n; i++) out.push(untouched(ref, i));
  const removedCount = end - start + 1;
  const refOf = new Int32Array(out.length);
  for (let v = 0; v < out.length; v++) {
    refOf[v] = v < start - 1 ? v + 1 : v < start - 1 + written.length ? 0 : v - written.length + removedCount + 1;
  }
  const removed = range(start, end);
  return makeVariant(join(out, ref), refOf, removed, range(start, start + written.length - 1), removed);
}

/**
 * Myers' greedy diff on a trimmed middle: the matching reference index + 1 for
 * each variant line (0 = added), or undefined when the distance exceeds `maxD`.
 * Memory is O(D²) for the trace, which `maxD` bounds.
 */
function myers(a: readonly string[], b: readonly string[], maxD: number): Int32Array | undefined {
  const n = a.length;
  const m = b.length;
  const offset = maxD + 1;
  const v = new Int32Array(2 * maxD + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= Math.min(maxD, n + m); d++) {
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        trace.push(v.slice(offset - d, offset + d + 1));
        return backtrack(a, b, trace);
      }
    }
    trace.push(v.slice(offset - d, offset + d + 1));
  }
  return undefined;
}

function backtrack(a: readonly string[], b: readonly string[], trace: Int32Array[]): Int32Array {
  const match = new Int32Array(b.length);
  let x = a.length;
  let y = b.length;
  for (let d = trace.length - 1; d > 0; d--) {
    const prev = trace[d - 1]!;
    // prev holds diagonals -(d-1)..d-1.
    const at = (k: number) => prev[k + d - 1]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      match[y] = x + 1;
    }
    if (prevK === k + 1) y--;
    else x--;
  }
  while (x > 0 && y > 0) {
    x--;
    y--;
    match[y] = x + 1;
  }
  return match;
}

/** A variant given as a whole program: which reference lines it changed, by a line-level diff. */
export function wholeProgramVariant(reference: string, source: string): Variant {
  const a = split(reference).lines;
  const b = split(source).lines;
  // Line terminators are not compared: a teacher rewriting "\r\n" as "\n" changed no line.
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
  const aMid = a.slice(prefix, a.length - suffix);
  const bMid = b.slice(prefix, b.length - suffix);

  const refOf = new Int32Array(b.length);
  for (let j = 0; j < prefix; j++) refOf[j] = j + 1;
  for (let j = 0; j < suffix; j++) refOf[b.length - 1 - j] = a.length - j;
  const midMatch = aMid.length <= MAX_DIFF_LINES && bMid.length <= MAX_DIFF_LINES ? myers(aMid, bMid, MAX_DIFF_DISTANCE) : undefined;
  if (midMatch) midMatch.forEach((i, j) => (refOf[prefix + j] = i === 0 ? 0 : prefix + i));

  const matchedRef = new Uint8Array(a.length + 1);
  for (const r of refOf) if (r !== 0) matchedRef[r] = 1;
  const removed: number[] = [];
  for (let r = 1; r <= a.length; r++) if (!matchedRef[r]) removed.push(r);
  const added: number[] = [];
  refOf.forEach((r, j) => r === 0 && added.push(j + 1));

  // Each hunk (a run of changes between two kept lines) anchors on its own removed
  // lines, or, when it only adds, on the reference line it went before, as an insert edit does.
  const anchors: number[] = [];
  let j = 0;
  let nextRef = 1; // the reference line after the last kept one
  while (j <= b.length) {
    const kept = j < b.length ? refOf[j]! : a.length + 1;
    if (j < b.length && kept === 0) {
      j++;
      continue;
    }
    const hunkAdded = j > 0 && refOf[j - 1] === 0;
    if (kept > nextRef) for (let r = nextRef; r < kept; r++) anchors.push(r);
    else if (hunkAdded && a.length > 0) anchors.push(Math.min(kept, a.length));
    nextRef = kept + 1;
    j++;
  }
  return makeVariant(source, refOf, removed, added, anchors);
}
