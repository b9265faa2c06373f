/**
 * The compiled languages' harnesses hold the completion marker as two random byte tables, never as
 * text (see src/languages/compose.ts): the table decodes to the two lines, and no composed file
 * contains the marker or the check-failed line.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkFailedMarker, hiddenMarker } from '../../src/languages/compose.js';
import { harnessFor, testFileHarness } from '../../src/languages/harness.js';

const marker = 'verdict-harness-done-00000000-1111-2222-3333-444444444444';

function decode(list: string, span: { start: number; length: number }): string {
  const table = list.split(',').map(Number);
  return Buffer.from(Array.from({ length: span.length }, (_, i) => table[span.start + i]! ^ table[span.start + span.length + i]!)).toString('latin1');
}

describe('hiddenMarker', () => {
  it('decodes to the completion line and the check-failed line, with no key byte 0', () => {
    const proof = hiddenMarker(marker);
    assert.equal(decode(proof.list, proof.done), `\n${marker}\n`);
    assert.equal(decode(proof.list, proof.failed), `\n${checkFailedMarker(marker)}\n`);
    const table = proof.list.split(',').map(Number);
    for (const span of [proof.done, proof.failed]) {
      for (let i = 0; i < span.length; i++) assert.notEqual(table[span.start + i], 0);
    }
    assert.ok(table.every((b) => Number.isInteger(b) && b >= 0 && b <= 255));
  });
  it('is random per call', () => {
    const [a, b] = [hiddenMarker(marker), hiddenMarker(marker)];
    assert.notEqual(a.list, b.list);
    assert.notEqual(a.fileTag, b.fileTag);
  });
});

describe('composed programs never hold the marker as text', () => {
  const programs = [
    { language: 'c', source: 'int add(int a, int b) { return a + b; }\n', testCode: 'int main() { return add(1, 2) != 3; }\n' },
    { language: 'cpp', source: 'int add(int a, int b) { return a + b; }\n', testCode: 'int main() { return add(1, 2) != 3; }\n' },
    { language: 'rust', source: 'fn add(a: i32, b: i32) -> i32 { a + b }\n', testCode: 'fn main() { assert_eq!(add(1, 2), 3); }\n' },
    { language: 'java', source: 'class Solution { int add(int a, int b) { return a + b; } }\n', testCode: 'public class Main { public static void main(String[] a) { } }\n' },
  ];
  for (const p of programs) {
    it(`${p.language}: the trailer's file is compile-only and of a random name`, () => {
      const proof = hiddenMarker(marker);
      const composed = harnessFor(p.language)!({ source: p.source, testCode: p.testCode, proof });
      for (const f of composed.files) {
        assert.ok(!f.content.includes(marker.slice('verdict-harness-done-'.length)), `${f.path} holds the marker`);
        assert.ok(!f.content.includes('verdict-harness'), `${f.path} names the marker's prefix`);
      }
      assert.equal(composed.compileOnly?.length, 1);
      const trailer = composed.compileOnly![0]!;
      assert.ok(trailer.includes(proof.fileTag));
      assert.ok(composed.files.find((f) => f.path === trailer)!.content.includes(proof.list));
    });
  }
  it("go: the TestMain beside a test file, under a name the program's files leave free", () => {
    const proof = hiddenMarker(marker);
    const entry = { path: 'main_test.go', content: 'package add_test\n\nimport "testing"\n\nfunc TestAdd(t *testing.T) {}\n' };
    const added = testFileHarness('go', 'main_test.go', [entry], proof)!;
    assert.equal(added.path, 'zz_verdict_main_test.go');
    assert.ok(!added.content.includes(marker.slice('verdict-harness-done-'.length)));
    assert.ok(added.content.includes(proof.list));
    const taken = testFileHarness('go', 'main_test.go', [entry, { path: 'zz_verdict_main_test.go', content: '' }], proof)!;
    assert.equal(taken.path, 'zz_verdict_main_2_test.go');
  });
});
