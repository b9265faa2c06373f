/**
 * Everything that reads candidate output, stderr, sources or completions on the event loop,
 * fed full-size pathological input: each gives the right answer, and each did not return for
 * minutes before it was made linear (backtracking regular expressions). The suite's timeout
 * only keeps a regression from hanging CI; /healthz under the same inputs is asserted in
 * test/docker/healthz-attack.test.ts.
 *
 * Where a scanner replaced a regular expression, the expression stays here as the oracle: on
 * short inputs it is fast, and the two must agree on every one of them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, decimalValue, type CheckerOptions } from '../../src/domain/checkers.js';
import { failureLocation } from '../../src/judge/location.js';
import { isEsModule } from '../../src/languages/javascript/es-module.js';
import { go } from '../../src/languages/go/index.js';
import { goTestMainPackage } from '../../src/languages/go/test-file.js';
import { javaTopLevel } from '../../src/languages/java/top-level.js';
import { extractCode } from '../../src/reward/extract.js';
import { findLanguage, languages } from '../../src/languages/registry.js';

const MiB = 1024 * 1024;
const opts = (mode: CheckerOptions['mode']): CheckerOptions => ({ mode, absTolerance: 1e-6, relTolerance: 1e-6 });
const checkText = (actual: string, expected: string, mode: CheckerOptions['mode']) => check(Buffer.from(actual, 'latin1'), Buffer.from(expected), opts(mode));

/** A small deterministic generator, so a disagreement reproduces. */
function strings(seed: number, alphabet: readonly string[], count: number, maxTokens: number): string[] {
  let state = seed;
  const next = (n: number) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
  const out: string[] = [];
  for (let k = 0; k < count; k++) {
    let s = '';
    for (let j = 1 + next(maxTokens); j > 0; j--) s += alphabet[next(alphabet.length)];
    out.push(s);
  }
  return out;
}

describe('untrusted text at full size', { timeout: 120_000 }, () => {
  it('lines checker: a line of a million spaces between two letters', async () => {
    const line = `x${' '.repeat(1_000_000)}x`;
    assert.equal((await checkText(`${line}\n`, 'x x\n', 'lines')).ok, false);
    assert.equal((await checkText(`${line} \t\r\n\n`, `${line}\n`, 'lines')).ok, true);
    assert.equal((await checkText(`${' '.repeat(4 * MiB)}\n`, '\n', 'lines')).ok, true);
  });

  it('float checker: a million digits ending in a letter is text, not a number', async () => {
    const digits = '1'.repeat(1_000_000);
    assert.equal((await checkText(`${digits}a`, '1', 'float')).ok, false);
    assert.equal((await checkText(`${digits}.5e3`, `${digits}.5e3`, 'float')).ok, true);
    assert.equal((await checkText('1.0000001', '1', 'float')).ok, true);
  });

  it('decimalValue reads what the pattern it replaced matched, as Number() does', () => {
    const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
    for (const s of strings(3, ['1', '0', '.', 'e', 'E', '+', '-', 'a', 'x', ' ', '9', '5'], 100_000, 8)) {
      const value = decimalValue(Buffer.from(s, 'latin1'));
      assert.equal(value !== undefined, NUMBER.test(s), JSON.stringify(s));
      if (value !== undefined) assert.ok(Object.is(value, Number(s)), `${JSON.stringify(s)}: ${value}, Number() ${Number(s)}`);
    }
  });

  it('decimalValue reads a token of thousands of digits as Number() does, and any other as text', () => {
    const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
    const alphabet = ['1', '0', '.', 'e', 'E', '+', '-', 'a', 'x', '9', '_'];
    const runs = ['1'.repeat(5000), '0'.repeat(5000), `${'0'.repeat(4000)}7${'3'.repeat(800)}`];
    let valid = 0;
    for (const [k, affix] of strings(5, alphabet, 6_000, 6).entries()) {
      const cut = k % (affix.length + 1);
      const run = runs[k % runs.length]!;
      const text = affix.slice(0, cut) + run + affix.slice(cut);
      // A run of digits is one run to the grammar however long it is: its validity is the short one's.
      const expected = NUMBER.test(affix.slice(0, cut) + '123' + affix.slice(cut));
      const value = decimalValue(Buffer.from(text, 'latin1'));
      assert.equal(value !== undefined, expected, `${JSON.stringify(affix)} around the run at ${cut}`);
      if (value !== undefined) {
        valid++;
        assert.ok(Object.is(value, Number(text)), `${JSON.stringify(affix)} at ${cut}: ${value}, Number() ${Number(text)}`);
      }
    }
    assert.ok(valid > 100, `only ${valid} of the long tokens are numbers: the test would prove little`);
    assert.equal(decimalValue(Buffer.from(`0x${'1'.repeat(5000)}`)), undefined);
    assert.equal(decimalValue(Buffer.from(`${'1'.repeat(5000)}_1`)), undefined);
    assert.equal(decimalValue(Buffer.from(`-${'9'.repeat(5000)}`)), -Infinity);
  });

  const newlines = '\n'.repeat(16 * MiB);
  const own = { files: ['main.py', 'main.js', 'Main.java', 'main.go', 'main.rs'] };

  it('failure locations: 16 MiB of newlines, then the report', () => {
    const py = `${newlines}Traceback (most recent call last):\n  File "/box/main.py", line 2, in <module>\nValueError: bad\n`;
    assert.deepEqual(failureLocation('python', py, own), { exceptionType: 'ValueError', message: 'bad', file: 'main.py', line: 2 });
    const js = `/box/main.js:3\n${newlines}Error: bad\n    at f (/box/main.js:3:9)\n`;
    assert.deepEqual(failureLocation('javascript', js, own), { exceptionType: 'Error', message: 'bad', file: 'main.js', line: 3 });
    const java = `Exception in thread "main" java.lang.IllegalStateException: bad\n${newlines}\tat Main.main(Main.java:4)\n`;
    assert.equal(failureLocation('java', java, own)?.exceptionType, 'java.lang.IllegalStateException');
    const goPanic = `panic: bad\n${newlines}\t/box/main.go:7 +0x1d\n`;
    assert.deepEqual(failureLocation('go', goPanic, own), { exceptionType: 'panic', message: 'bad', file: 'main.go', line: 7 });
    const rust = `thread 'main' panicked at 'bad', main.rs:5:9\n${newlines}`;
    assert.deepEqual(failureLocation('rust', rust, own), { exceptionType: 'panic', message: 'bad', file: 'main.rs', line: 5 });
    for (const language of languages.filter((l) => l.failureLocation).map((l) => l.id)) assert.equal(failureLocation(language, newlines, own), undefined, language);
  });

  it('failure locations: long lines and repeated prefixes', () => {
    const spaces = ' '.repeat(MiB);
    assert.equal(failureLocation('javascript', `    at ${'('.repeat(MiB)}\n`, own), undefined);
    assert.equal(failureLocation('java', `${'Exception in thread "'.repeat(50_000)}\n`, own), undefined);
    assert.equal(failureLocation('go', `${'Error Trace:'.repeat(100_000)}${spaces}\n`, own), undefined);
    assert.equal(failureLocation('rust', `thread 'main' panicked at '${"', ".repeat(500_000)}`, own), undefined);
    assert.equal(failureLocation('python', `${spaces}File "${'a'.repeat(MiB)}\n`, own), undefined);
  });

  it('ES module detection: lines like `import a<spaces>!`, in a source and in a completion', () => {
    const line = `import a${' '.repeat(MiB)}!\n`;
    assert.equal(isEsModule(line.repeat(4)), false);
    assert.equal(isEsModule(`${'import {\n'.repeat(100_000)}`), false);
    assert.equal(isEsModule(`${line}import { x } from 'y';\n`), true);
    const completion = `Here it is:\n\`\`\`javascript\n${line}console.log(1)\n\`\`\`\n`;
    const code = extractCode(completion, findLanguage('javascript')!, 'last_block').code!;
    assert.equal(isEsModule(code), false);
  });

  it('isEsModule agrees with the pattern it replaced', () => {
    const ES_MODULE =
      /^(?:import\s*(?:['"]|(?:[\w$]+\s*,?\s*)?(?:\{[^}]*\}|\*\s*as\s+[\w$]+)?\s*from\s*['"])|export\s*(?:\{|\*|(?:default|const|let|var|function|class|async\s+function)\b))/m;
    const alphabet = ['import', 'export', ' ', '\n', '{', '}', 'a', '$', ',', '*', 'as', 'from', "'", '"', 'default', 'async', 'function', '!', '(', 'x', '\t', 'class'];
    for (const s of strings(1, alphabet, 100_000, 10)) assert.equal(isEsModule(s), ES_MODULE.test(s), JSON.stringify(s));
  });

  it('Go test-file detection: many blank lines, import groups without a close', () => {
    const program = 'package main\n\nimport "testing"\n\nfunc TestAdd(t *testing.T) {}\n';
    assert.equal(go.entryFor!(`${newlines}${program}`), 'main_test.go');
    assert.equal(go.entryFor!(`${' \n'.repeat(4 * MiB)}package main\nfunc main() {}\n`), 'main.go');
    assert.equal(go.entryFor!(`${'import (\n'.repeat(200_000)}func TestA(t *testing.T) {}`), 'main.go');
  });

  it("Go test files' package: found past many blank lines, one scan", () => {
    const program = `// package not_this\n${newlines}package add_test\n\nimport "testing"\n`;
    assert.equal(goTestMainPackage(program), 'add_test');
    assert.equal(goTestMainPackage(`${'packag\n'.repeat(1_000_000)}`), undefined);
  });

  it("Java's top level (the test code's imports): imports and types at depth 0 only, one walk", () => {
    const source = '// import fake.*;\nimport java.util.*;\nimport static java.lang.Math.max;\nimport java.util.List;\nclass Solution { class Inner {} }\ninterface Shape {}\nrecord Point(int x) {}\n';
    const top = javaTopLevel(source);
    assert.deepEqual(top.imports, ['import java.util.*;', 'import static java.lang.Math.max;', 'import java.util.List;']);
    assert.deepEqual(top.onDemand, ['java.lang', 'java.util']);
    assert.deepEqual([...top.singleNames], ['List']);
    assert.deepEqual(top.types, ['Solution', 'Shape', 'Point']);
    assert.deepEqual(javaTopLevel('import '.repeat(2_000_000)).imports, []);
    assert.equal(javaTopLevel(`${'{'.repeat(4 * MiB)}class Deep {}`).types.length, 0);
    assert.equal(javaTopLevel('class '.repeat(2_000_000)).types.length, 1_000_000);
  });

  it('Go test-file detection agrees with the patterns it replaced', () => {
    const IMPORTS_TESTING = /^\s*import\s*(?:\(\s*[^)]*"testing"|(?:[\w.]+[ \t]*)?"testing")/m;
    const TEST_FUNC = /^\s*func\s+Test\w*\s*\(\s*\w*\s*\*testing\.T\s*\)/m;
    const alphabet = ['import', ' ', '\n', '(', ')', '"testing"', 'func ', 'TestX', 'main', '()', '(t *testing.T)', '\t', 'x', '_', 'func TestA(t *testing.T) {}', '\nfunc main() {}'];
    for (const s of strings(7, alphabet, 100_000, 12)) {
      const expected = IMPORTS_TESTING.test(s) && TEST_FUNC.test(s) ? 'main_test.go' : 'main.go';
      assert.equal(go.entryFor!(s), expected, JSON.stringify(s));
    }
  });
});
