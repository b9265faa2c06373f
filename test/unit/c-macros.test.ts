/** definedMacroNames reads directives as the preprocessor does, so no macro of a candidate's slips past the clean slate. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { definedMacroNames } from '../../src/languages/c-family/macros.js';
import { cFamilyHarness } from '../../src/languages/c-family/harness.js';
import { hiddenMarker } from '../../src/languages/compose.js';

describe('definedMacroNames', () => {
  it('finds #define and #undef however they are spelled', () => {
    const source = [
      '#define main renamed',
      '  #  undef assert',
      '#/* a comment */define NDEBUG 1',
      '%:define digraph',
      '#def\\',
      'ine spliced',
      '#define \\',
      '  continued(x) x',
      'int x; /* a comment',
      '#define inside_comment */',
      '#error don\'t',
      '#define after_error',
    ].join('\n');
    assert.deepEqual(definedMacroNames(source), ['main', 'assert', 'NDEBUG', 'digraph', 'spliced', 'continued', 'after_error']);
  });

  it('is not fooled by directives inside literals, comments or raw strings', () => {
    const source = [
      'const char *s = "\\n#define in_string";',
      '// #define in_line_comment',
      "char c = '#';",
      'auto r = R"x(',
      '#define in_raw_string',
      ')x";',
      'int y = 1; #define not_at_line_start',
    ].join('\n');
    assert.deepEqual(definedMacroNames(source), []);
  });

  it('reads a long source once (no backtracking, no quadratic pass)', () => {
    const source = '"unclosed /* \\\n\n'.repeat(100_000) + '#define last\n';
    assert.deepEqual(definedMacroNames(source), ['last']);
  });
});

describe('the C-family harness gives the test code a clean slate', () => {
  const compose = cFamilyHarness('c');
  it('undefines what the candidate defined, points assert at the trailer and reads assert.h again, after the candidate', () => {
    const source = 'int add(int a, int b) { return a - b; }\nint main(void) { return 0; }\n#define main renamed\n';
    const proof = hiddenMarker('m');
    const main = compose({ source, testCode: 'int main() { return add(1, 1) != 2; }', proof }).files[0]!.content;
    const tail = main.slice(source.length);
    assert.ok(tail.startsWith(`\n\n\n#undef main\n#define __assert_fail verdict_${proof.fileTag}_assert_fail\n`), tail);
    assert.match(tail, /#include <assert\.h>\nint main\(\)/);
  });
  it('gives a source without macros the same slate, less the #undefs', () => {
    const proof = hiddenMarker('m');
    const main = compose({ source: 'int add(int a, int b) { return a + b; }', testCode: 'T', proof }).files[0]!.content;
    assert.ok(main.startsWith(`int add(int a, int b) { return a + b; }\n\n\n#define __assert_fail verdict_${proof.fileTag}_assert_fail\n`), main);
    assert.ok(main.endsWith('#include <assert.h>\nT\n'));
    assert.doesNotMatch(main, /#undef/);
  });
});
