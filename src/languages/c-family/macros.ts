/**
 * The macros a C or C++ source defines or undefines, read as the preprocessor reads it, so that
 * test code composed after it can be given a clean slate: a candidate's `#define main x` (or
 * `assert`, or `NDEBUG`) must not rewrite the test code that follows it in the same file.
 * One linear pass: line splices first, then comments, string, character and raw-string literals
 * skipped, directives recognized at the start of a line (`#` or the digraph `%:`).
 */

const isIdentStart = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x24 || c >= 0x80;
const isIdentChar = (c: number) => isIdentStart(c) || (c >= 0x30 && c <= 0x39);

/** Translation phase 2: backslash-newline removed (a `\r\n` too), as the compiler does before it tokenizes. */
function spliced(source: string): string {
  if (!source.includes('\\')) return source;
  return source.replace(/\\\r?\n/g, '');
}

/** Names after `#define` or `#undef`, each once, in the order first seen. */
export function definedMacroNames(source: string): string[] {
  const text = spliced(source);
  const n = text.length;
  const names = new Set<string>();
  let i = 0;
  // Whether only whitespace and comments stand between the line's start and `i`.
  let lineStart = true;
  const skipBlockComment = (from: number): number => {
    const end = text.indexOf('*/', from + 2);
    return end < 0 ? n : end + 2;
  };
  /** Spaces, tabs and comments within one line; returns the next position. */
  const skipInlineSpace = (from: number): number => {
    let j = from;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c === 0x20 || c === 0x09 || c === 0x0b || c === 0x0c || c === 0x0d) j++;
      else if (c === 0x2f && text.charCodeAt(j + 1) === 0x2a) j = skipBlockComment(j);
      else break;
    }
    return j;
  };
  const identAt = (from: number): string => {
    let j = from;
    if (j >= n || !isIdentStart(text.charCodeAt(j))) return '';
    while (j < n && isIdentChar(text.charCodeAt(j))) j++;
    return text.slice(from, j);
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) {
      lineStart = true;
      i++;
    } else if (c === 0x20 || c === 0x09 || c === 0x0b || c === 0x0c || c === 0x0d) {
      i++;
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a) {
      i = skipBlockComment(i);
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2f) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? n : end;
    } else if (lineStart && (c === 0x23 || (c === 0x25 && text.charCodeAt(i + 1) === 0x3a))) {
      lineStart = false;
      let j = skipInlineSpace(i + (c === 0x23 ? 1 : 2));
      const directive = identAt(j);
      if (directive === 'define' || directive === 'undef') {
        j = skipInlineSpace(j + directive.length);
        const name = identAt(j);
        if (name !== '') names.add(name);
      }
      // The rest of a directive line is no code: its quotes (`#error don't`) open no literal.
      const end = text.indexOf('\n', j);
      i = end < 0 ? n : end;
    } else if (c === 0x22 || c === 0x27) {
      lineStart = false;
      i = skipQuoted(text, i);
    } else if (isIdentStart(c)) {
      lineStart = false;
      const word = identAt(i);
      i += word.length;
      // A raw string (R"delim( ... )delim", with an encoding prefix or not) ends only at its delimiter.
      if (text.charCodeAt(i) === 0x22 && (word === 'R' || word === 'LR' || word === 'uR' || word === 'UR' || word === 'u8R')) i = skipRaw(text, i);
    } else {
      lineStart = false;
      i++;
    }
  }
  return [...names];
}

/** Past a "..." or '...' literal starting at `from` (escapes honoured; an unclosed one ends at its line). */
function skipQuoted(text: string, from: number): number {
  const quote = text.charCodeAt(from);
  let j = from + 1;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (c === 0x5c) j += 2;
    else if (c === quote) return j + 1;
    else if (c === 0x0a) return j;
    else j++;
  }
  return text.length;
}

/** Past a raw string whose opening quote is at `from`. */
function skipRaw(text: string, from: number): number {
  const open = text.indexOf('(', from + 1);
  // At most 16 characters of delimiter; anything else is no raw string (the compiler refuses it).
  if (open < 0 || open - from - 1 > 16) return from + 1;
  const close = `)${text.slice(from + 1, open)}"`;
  const end = text.indexOf(close, open + 1);
  return end < 0 ? text.length : end + close.length;
}
