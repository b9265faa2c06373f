/** What Python test code runs, read in one pass (see ../test-code-reader.ts). */
import { isIdentChar, type TestCodeReader, type TestCodeShape } from '../test-code-reader.js';

/** Words after which a Python `(` is not a call. */
const PYTHON_KEYWORDS = new Set(['if', 'elif', 'while', 'for', 'in', 'not', 'and', 'or', 'is', 'return', 'yield', 'lambda', 'else', 'assert', 'del', 'await', 'with', 'except', 'as', 'raise', 'import', 'from']);

type PythonKind = 'definition' | 'inert' | 'runs' | 'guard';

export function pythonTestCodeShape(text: string): TestCodeShape {
  const shape: TestCodeShape = { definesCheck: false, callsCheck: false, runs: false, runsAsMain: false };
  const n = text.length;
  let i = 0;
  // The kind of the last top-level statement: indented lines belong to its block.
  let block: PythonKind = 'inert';
  // The state of the logical line being read (declared once: the loop runs once per line).
  let topLevel = false;
  let depth = 0;
  let hasCall = false;
  let callsCheck = false;
  let identStart = -1;
  let identEnd = -1;
  let lastIdent = '';
  let headerSeen = false;
  let lastSig = -1; // position of the last significant character
  let statementStart = 0;
  let kind: PythonKind | undefined;
  const classify = (from: number, to: number): PythonKind => {
    const line = text.slice(from, Math.min(to, from + 4096));
    const word = firstWord(line);
    if (word === 'def' || word === 'class' || word === 'async' || line.startsWith('@')) {
      if (word === 'def' && firstWord(line.slice(3).trimStart()) === 'check') shape.definesCheck = true;
      return 'definition';
    }
    if (word === 'import' || word === 'from' || word === 'pass' || word === 'global') return 'inert';
    if (word === 'if' && line.includes('__name__') && line.includes('__main__') && line.includes('==')) return 'guard';
    const c = line.charCodeAt(0);
    if (c === 0x22 || c === 0x27) return hasCall ? 'runs' : 'inert';
    // NAME = constant (HumanEval's METADATA), NAME: type = constant.
    const eq = line.indexOf('=');
    const isAssignment = eq > 0 && line[eq + 1] !== '=' && !'!<>=+-*/%&|^@:'.includes(line[eq - 1]!) && identifierOrAnnotation(line.slice(0, eq));
    return isAssignment && !hasCall ? 'inert' : 'runs';
  };
  const finish = (to: number): void => {
    if (topLevel) {
      kind = kind === 'definition' ? kind : classify(statementStart, to);
      block = kind;
    } else kind = block;
    if (kind === 'runs') shape.runs = true;
    if (kind === 'guard') shape.runsAsMain = true;
    if (callsCheck && (kind === 'runs' || kind === 'guard')) shape.callsCheck = true;
    hasCall = false;
    callsCheck = false;
  };
  while (i < n) {
    // The start of a logical line: its indentation.
    let start = i;
    while (start < n && (text.charCodeAt(start) === 0x20 || text.charCodeAt(start) === 0x09 || text.charCodeAt(start) === 0x0c)) start++;
    const c0 = text.charCodeAt(start);
    if (start >= n) break;
    if (c0 === 0x0a || c0 === 0x0d || c0 === 0x23 /* # */) {
      const end = text.indexOf('\n', start);
      i = end < 0 ? n : end + 1;
      continue;
    }
    topLevel = start === i;
    // One logical line (brackets, strings and backslashes continue it), split at top-level ';'.
    depth = 0;
    hasCall = false;
    callsCheck = false;
    identStart = -1;
    identEnd = -1;
    headerSeen = false;
    lastSig = -1;
    statementStart = start;
    kind = undefined;
    let j = start;
    for (; j < n; j++) {
      const c = text.charCodeAt(j);
      if (c === 0x0a) {
        if (depth > 0) continue;
        if (j > 0 && text.charCodeAt(j - 1) === 0x5c /* \ */) continue;
        break;
      }
      if (c === 0x23 /* # */) {
        const end = text.indexOf('\n', j);
        j = (end < 0 ? n : end) - 1;
        continue;
      }
      if (c === 0x22 || c === 0x27) {
        j = skipPythonString(text, j);
        lastSig = j;
        identStart = -1;
        continue;
      }
      if (isIdentChar(c)) {
        let k = j;
        while (k < n && isIdentChar(text.charCodeAt(k))) k++;
        lastIdent = text.slice(j, Math.min(k, j + 64));
        identStart = j;
        identEnd = k;
        lastSig = k - 1;
        j = k - 1;
        continue;
      }
      if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0c || c === 0x5c) continue;
      if (c === 0x28 /* ( */) {
        const prev = text.charCodeAt(lastSig);
        if (identStart >= 0 && lastSig === identEnd - 1) {
          if (!PYTHON_KEYWORDS.has(lastIdent)) hasCall = true;
          if (lastIdent === 'check' && text.charCodeAt(identStart - 1) !== 0x2e /* . */) callsCheck = true;
        } else if (prev === 0x29 || prev === 0x5d) hasCall = true;
        depth++;
      } else if (c === 0x5b || c === 0x7b) depth++;
      else if ((c === 0x29 || c === 0x5d || c === 0x7d) && depth > 0) depth--;
      else if (c === 0x3b /* ; */ && depth === 0 && !(topLevel && kind === 'definition')) {
        if (topLevel && kind === undefined) kind = classify(statementStart, j);
        finish(j);
        if (topLevel && kind !== 'definition') kind = undefined;
        headerSeen = false;
        statementStart = j + 1;
        while (statementStart < n && (text.charCodeAt(statementStart) === 0x20 || text.charCodeAt(statementStart) === 0x09)) statementStart++;
      }
      if (c === 0x3a /* : */ && depth === 0 && topLevel && kind === undefined && !headerSeen) {
        headerSeen = true;
        // A compound statement's header: a definition's one-line body is part of the definition.
        const k = classify(statementStart, j);
        if (k === 'definition') kind = k;
      }
      lastSig = j;
    }
    finish(j);
    i = j + 1;
  }
  return shape;
}

function firstWord(line: string): string {
  let k = 0;
  while (k < line.length && isIdentChar(line.charCodeAt(k))) k++;
  return line.slice(0, k);
}

/** `NAME`, `NAME: annotation`, `a, b` or `a.b`: the left side of an assignment. */
function identifierOrAnnotation(left: string): boolean {
  const name = firstWord(left);
  return name.length > 0 && !PYTHON_KEYWORDS.has(name) && !left.includes('(');
}

/** From an opening quote: the index of the string's last character (its closing quote, or where it is cut). */
function skipPythonString(text: string, at: number): number {
  const quote = text.charCodeAt(at);
  const triple = text.charCodeAt(at + 1) === quote && text.charCodeAt(at + 2) === quote;
  const n = text.length;
  let j = triple ? at + 3 : at + 1;
  for (; j < n; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x5c) {
      j++;
      continue;
    }
    if (!triple && c === 0x0a) return j - 1;
    if (c === quote) {
      if (!triple) return j;
      if (text.charCodeAt(j + 1) === quote && text.charCodeAt(j + 2) === quote) return j + 2;
    }
  }
  return n - 1;
}

export const pythonTestCodeReader: TestCodeReader = {
  shape: pythonTestCodeShape,
  methodValue: (cls, method) => `${cls}().${method}`,
  definitionsOnly:
    'testCode: only defines functions, classes, imports and constants, so no check would run; call its checks at top level (for example test_add() after def test_add())',
};
