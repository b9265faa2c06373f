/** Go sources as the build sees them: which one is a test file, and its package (for the harness's TestMain). */

/**
 * The source is the candidate's, so these checks never let a pattern search it freely: `^\s*…`
 * under the m flag rescans every run of blank lines from each of its lines (quadratic). Each
 * pattern is instead tried once, sticky, at the first non-blank character of each line, which
 * is where the m-flag pattern could have matched; none of them can backtrack far.
 */
const TEST_FUNC = /func\s+Test\w*\s*\(\s*\w*\s*\*testing\.T\s*\)/y;
const IMPORT = /import\s*/y;
const PACKAGE = /package\s+(\w+)/y;

/**
 * The first non-blank position of each line that has one. Blank lines are skipped in the same
 * loop as leading blanks: none of the patterns can match at a line's end, and yielding each of a
 * million blank lines made a 60 MiB source of newlines cost 2.5 s of the event loop.
 */
function* lineStarts(source: string): Generator<number> {
  for (let at = 0; at < source.length; ) {
    let i = at;
    for (let c = source.charCodeAt(i); c === 0x20 || (c >= 0x09 && c <= 0x0d); c = source.charCodeAt(++i));
    if (i >= source.length) return;
    yield i;
    const end = source.indexOf('\n', i);
    if (end < 0) return;
    at = end + 1;
  }
}

function someLineStarts(source: string, pattern: RegExp): boolean {
  for (const at of lineStarts(source)) {
    pattern.lastIndex = at;
    if (pattern.test(source)) return true;
  }
  return false;
}

/** `import "<pkg>"`, or an import group `( … )` naming "<pkg>" before its `)`. */
export function importsPackage(source: string, pkg: string): boolean {
  const quoted = `"${pkg}"`;
  // The first ")" and the first quoted name at or after a position, found once and reused.
  let close = -2;
  let named = -2;
  for (const at of lineStarts(source)) {
    IMPORT.lastIndex = at;
    if (!IMPORT.test(source)) continue;
    const i = IMPORT.lastIndex;
    if (source[i] !== '"' && source[i] !== '(') {
      // A name for the import first (`import _ "embed"`, `import t "testing"`): single imports only.
      let j = i;
      while (j < source.length && /[\w.]/.test(source[j]!)) j++;
      while (source[j] === ' ' || source[j] === '\t') j++;
      if (source.startsWith(quoted, j)) return true;
      continue;
    }
    if (source.startsWith(quoted, i)) return true;
    if (source[i] !== '(') continue;
    if (close !== -1 && close < i) close = source.indexOf(')', i);
    if (named !== -1 && named < i) named = source.indexOf(quoted, i);
    if (named >= 0 && (close < 0 || named < close)) return true;
  }
  return false;
}

/**
 * A source importing "testing" with Test functions (HumanEvalPack's and MultiPL-E's shapes) is a
 * test file: go only builds tests from a file named *_test.go, and then its tests are the run.
 * A `func main` beside them does not change that: model completions often add one, MultiPL-E's
 * files are `package x_test`, which `go build` cannot make a program of, and go test judges them.
 */
export function goEntryFor(source: string): string {
  return importsPackage(source, 'testing') && someLineStarts(source, TEST_FUNC) ? 'main_test.go' : 'main.go';
}

/** The package clause's name: the first line starting `package`, as a file's comments come before it. */
function packageName(source: string): string | undefined {
  for (const at of lineStarts(source)) {
    PACKAGE.lastIndex = at;
    const m = PACKAGE.exec(source);
    if (m) return m[1];
  }
  return undefined;
}

/** The package of a test file built as the entry (it gets the harness's TestMain, see harness.ts), else undefined. */
export function goTestMainPackage(entrySource: string): string | undefined {
  return packageName(entrySource);
}
