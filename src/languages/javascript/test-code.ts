/** What JavaScript (and TypeScript) test code runs, read in one pass (see ../test-code-reader.ts). */
import { isIdentChar, type TestCodeReader, type TestCodeShape } from '../test-code-reader.js';

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

/** JavaScript's, and TypeScript's: its test code reads the same way. */
export const javascriptTestCodeReader: TestCodeReader = {
  shape: javascriptTestCodeShape,
  methodValue: (cls, method) => `(() => { const o = new ${cls}(); return o.${method}.bind(o); })()`,
  definitionsOnly:
    'testCode: only defines functions, classes and constants, so no check would run; call its test function at top level (for example testAdd() after const testAdd = () => {…})',
};
