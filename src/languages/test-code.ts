/**
 * What test code (`testCode`) can run, read from its text in one pass: HumanEval's `test` field
 * only defines `check(candidate)` and its harness calls `check(entry_point)`; a file of only
 * definitions (pytest-style `test_` functions, a JavaScript test function never called) runs no
 * check at all; Python checks under `if __name__ == "__main__":` do not run when the program is
 * imported for function-call tests. Composed as they are, each of these would be `accepted`
 * whatever the candidate does. The scanners are character loops (no regular expression over the
 * text), linear in its length; they only have to tell definitions from code that runs, so what
 * they cannot place is counted as code that runs.
 */

export interface TestCodeShape {
  /** A top-level definition of `check` (`def check(`; `function check(`, `const check =`). */
  definesCheck: boolean;
  /** A call of `check(…)` in code that runs (not inside another definition, for Python). */
  callsCheck: boolean;
  /** Some top-level code besides definitions, imports and constant assignments. */
  runs: boolean;
  /** Python: code that runs only under an `if __name__ == "__main__":` guard. */
  runsAsMain: boolean;
}

const isIdentChar = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x24 || c >= 0x80;

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

/** Words after which a JavaScript `(` is not a call; `function` and `async` begin definitions. */
const JS_NOT_CALLS = new Set(['function', 'async', 'require', 'typeof', 'return', 'in', 'of', 'instanceof', 'void', 'delete', 'yield', 'case']);
/** Top-level words that run code. */
const JS_RUNS = new Set(['if', 'for', 'while', 'do', 'switch', 'try', 'await', 'throw', 'new']);
/** Words after which a `/` begins a regular expression, not a division. */
const JS_BEFORE_REGEX = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'instanceof', 'new', 'delete', 'void', 'throw', 'yield', 'await']);

export function javascriptTestCodeShape(text: string): TestCodeShape {
  const shape: TestCodeShape = { definesCheck: false, callsCheck: false, runs: false, runsAsMain: false };
  const n = text.length;
  let depth = 0;
  // Depths at which each open template literal's `${` began.
  const templates: number[] = [];
  let lastWord = '';
  let wordBefore = '';
  /** The last significant character: a word (w), a closing bracket, or other punctuation. */
  let last = '';
  const inTemplate = (from: number): number => {
    // From inside a template literal: the index of its closing backtick, or of the "{" of a "${".
    for (let j = from; j < n; j++) {
      const c = text.charCodeAt(j);
      if (c === 0x5c) j++;
      else if (c === 0x60) return j;
      else if (c === 0x24 && text.charCodeAt(j + 1) === 0x7b) return j + 1;
    }
    return n;
  };
  for (let j = 0; j < n; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
    if (c === 0x2f /* / */ && text.charCodeAt(j + 1) === 0x2f) {
      const end = text.indexOf('\n', j);
      j = end < 0 ? n : end;
      continue;
    }
    if (c === 0x2f && text.charCodeAt(j + 1) === 0x2a) {
      const end = text.indexOf('*/', j + 2);
      j = end < 0 ? n : end + 1;
      continue;
    }
    if (c === 0x22 || c === 0x27) {
      for (j++; j < n && text.charCodeAt(j) !== c && text.charCodeAt(j) !== 0x0a; j++) if (text.charCodeAt(j) === 0x5c) j++;
      last = 'w';
      lastWord = '';
      continue;
    }
    if (c === 0x60 /* ` */) {
      j = inTemplate(j + 1);
      if (text.charCodeAt(j) === 0x7b) {
        templates.push(depth);
        depth++;
        last = '{';
      } else last = 'w';
      lastWord = '';
      continue;
    }
    if (c === 0x2f && !(last === 'w' && !JS_BEFORE_REGEX.has(lastWord)) && last !== ')' && last !== ']') {
      // A regular expression literal: to its closing "/" outside a class.
      let inClass = false;
      for (j++; j < n; j++) {
        const r = text.charCodeAt(j);
        if (r === 0x5c) j++;
        else if (r === 0x0a) break;
        else if (r === 0x5b) inClass = true;
        else if (r === 0x5d) inClass = false;
        else if (r === 0x2f && !inClass) break;
      }
      last = 'w';
      lastWord = '';
      continue;
    }
    if (isIdentChar(c)) {
      let k = j;
      while (k < n && isIdentChar(text.charCodeAt(k))) k++;
      const word = text.slice(j, Math.min(k, j + 64));
      if (depth === 0) {
        if (JS_RUNS.has(word)) shape.runs = true;
        if (word === 'check' && (lastWord === 'function' || ((lastWord === 'const' || lastWord === 'let' || lastWord === 'var') && last === 'w'))) shape.definesCheck = true;
      }
      wordBefore = last === 'w' ? lastWord : '';
      lastWord = word;
      last = 'w';
      j = k - 1;
      continue;
    }
    if (c === 0x28 /* ( */) {
      const named = last === 'w' && lastWord !== '';
      const isCall = named ? !JS_NOT_CALLS.has(lastWord) && wordBefore !== 'function' && !JS_RUNS.has(lastWord) : last === ')' || last === ']';
      if (isCall && lastWord === 'check' && named) shape.callsCheck = true;
      if (depth === 0 && (isCall || (named && JS_RUNS.has(lastWord)))) shape.runs = true;
      depth++;
    } else if (c === 0x5b || c === 0x7b) depth++;
    else if (c === 0x29 || c === 0x5d || c === 0x7d) {
      if (depth > 0) depth--;
      if (c === 0x7d && templates.length > 0 && templates[templates.length - 1] === depth) {
        // The end of a template's "${…}": back inside the template.
        templates.pop();
        j = inTemplate(j + 1);
        if (text.charCodeAt(j) === 0x7b) {
          templates.push(depth);
          depth++;
        }
        last = 'w';
        lastWord = '';
        continue;
      }
    }
    last = c === 0x29 ? ')' : c === 0x5d ? ']' : String.fromCharCode(c);
    if (c !== 0x2e) lastWord = last === 'w' ? lastWord : '';
    wordBefore = '';
  }
  return shape;
}

/** Languages whose test code is read for these shapes, and how. */
const shapeReaders: ReadonlyMap<string, (text: string) => TestCodeShape> = new Map([
  ['python', pythonTestCodeShape],
  ['javascript', javascriptTestCodeShape],
  ['typescript', javascriptTestCodeShape],
]);

/**
 * The last text read and its shape. Every item of a batch, and every completion of a reward call,
 * that inherits a problem's testCode holds the same string: read once, not once per item (16 MiB
 * of test code is tens of milliseconds of the event loop; 10,000 items would be minutes). The
 * comparison of the same string is by reference, of an equal one a native memcmp.
 */
let lastRead: { read: (text: string) => TestCodeShape; text: string; shape: TestCodeShape } | undefined;

function shapeOf(read: (text: string) => TestCodeShape, text: string): TestCodeShape {
  if (lastRead?.read === read && lastRead.text === text) return lastRead.shape;
  const shape = read(text);
  lastRead = { read, text, shape };
  return shape;
}

/** The candidate as the value passed to check: the function, or the method of a fresh instance (as call tests do). */
function candidateExpression(languageId: string, entryPoint: string): string {
  const dot = entryPoint.indexOf('.');
  if (dot < 0) return entryPoint;
  const [cls, method] = [entryPoint.slice(0, dot), entryPoint.slice(dot + 1)];
  return languageId === 'python' ? `${cls}().${method}` : `(() => { const o = new ${cls}(); return o.${method}.bind(o); })()`;
}

/**
 * The test code to compose, or why it cannot have run a single check (a message for a 400 on
 * `testCode`). HumanEval's shape, `check` defined and never called, gets the call its own
 * harness makes, `check(<entryPoint>)`.
 */
export function completeTestCode(
  languageId: string,
  testCode: string,
  entryPoint: string | undefined,
  hasCallTests: boolean,
): { testCode: string } | { error: string } {
  const read = shapeReaders.get(languageId);
  if (read === undefined) return { testCode };
  const shape = shapeOf(read, testCode);
  if (shape.definesCheck && !shape.callsCheck) {
    if (entryPoint === undefined) {
      return {
        error:
          'testCode: defines check(candidate) but never calls it (HumanEval\'s harness calls check(entry_point)); set "entryPoint" to the function it tests, or end the test code with check(<function>)',
      };
    }
    return { testCode: `${testCode}\n\ncheck(${candidateExpression(languageId, entryPoint)})\n` };
  }
  if (!shape.runs && !shape.runsAsMain) {
    return {
      error:
        languageId === 'python'
          ? 'testCode: only defines functions, classes, imports and constants, so no check would run; call its checks at top level (for example test_add() after def test_add())'
          : 'testCode: only defines functions, classes and constants, so no check would run; call its test function at top level (for example testAdd() after const testAdd = () => {…})',
    };
  }
  if (!shape.runs && hasCallTests) {
    return {
      error:
        'testCode: its checks are all under if __name__ == "__main__":, which does not run when the program is imported for the function-call tests; put them at top level',
    };
  }
  return { testCode };
}
