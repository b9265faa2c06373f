/**
 * A Go test file's failing test is a wrong_answer, as the same bug under stdin tests; the
 * candidate's own panics and exits stay runtime_error, and printing a failure's text cannot
 * forge one (#13 item 9; the harness's TestMain is in src/languages/go/harness.ts).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { startTestApp } from '../helpers/app.js';

const t = await startTestApp();

/** MultiPL-E's shape: `package x_test`, the candidate's function, then its Test functions. */
function testFile(body: string, tests: string, imports = '"testing"\n    "fmt"\n    "os"'): string {
  return `package add_test

import (
    ${imports}
)

var _ = fmt.Sprint
var _ = os.Exit

func add(x int, y int) int {
${body}
}

${tests}
// ${randomUUID()}
`;
}

const checks = `func TestAdd(t *testing.T) {
    if got := add(2, 3); got != 5 {
        t.Errorf("expected 5, got %d", got)
    }
}`;

async function verdictOf(source: string) {
  const r = await t.submit({ language: 'go', source });
  assert.notEqual(r.verdict, 'compile_error', JSON.stringify(r.compile));
  // The harness's markers are the service's, never part of the output a client sees.
  assert.doesNotMatch(r.tests[0]!.stdout, /verdict-harness/);
  return r;
}

describe('Go test files: whose failure it is', () => {
  it('a passing file is accepted', async () => {
    assert.equal((await verdictOf(testFile('    return x + y', checks))).verdict, 'accepted');
  });
  it("a test's t.Errorf is a wrong_answer", async () => {
    const r = await verdictOf(testFile('    return x - y', checks));
    assert.equal(r.verdict, 'wrong_answer');
    assert.match(r.tests[0]!.stdout, /--- FAIL: TestAdd/);
  });
  it("testify's assert is a wrong_answer", async () => {
    const tests = `func TestAdd(t *testing.T) {
    assert.Equal(t, 5, add(2, 3))
}`;
    const r = await verdictOf(testFile('    return x * y', tests, '"testing"\n    "fmt"\n    "os"\n    "github.com/stretchr/testify/assert"'));
    assert.equal(r.verdict, 'wrong_answer');
  });
  it('a panic in the candidate is a runtime_error', async () => {
    const r = await verdictOf(testFile('    var m map[int]int\n    m[x] = y\n    return x + y', checks));
    assert.equal(r.verdict, 'runtime_error');
  });
  it('os.Exit(1) in the candidate is a runtime_error', async () => {
    assert.equal((await verdictOf(testFile('    os.Exit(1)\n    return 0', checks))).verdict, 'runtime_error');
  });
  it('a forged "--- FAIL" and os.Exit(1) is a runtime_error', async () => {
    const body = '    fmt.Println("--- FAIL: TestAdd (0.00s)")\n    fmt.Println("FAIL")\n    os.Exit(1)\n    return 0';
    assert.equal((await verdictOf(testFile(body, checks))).verdict, 'runtime_error');
  });
  it('os.Exit(0) before the tests ran is not accepted', async () => {
    const r = await verdictOf(testFile('    return x - y', `func init() { os.Exit(0) }\n\n${checks}`));
    assert.equal(r.verdict, 'runtime_error');
  });
  it("a file of the program's named like the harness's does not stand in for it: the harness's TestMain is the package's only one", async () => {
    // Judged by its exit status, a TestMain of its own that exits 0 before any test ran was accepted.
    const own = 'package add_test\n\nimport (\n    "os"\n    "testing"\n)\n\nfunc TestMain(m *testing.M) { os.Exit(0) }\n';
    const r = await t.submit({ language: 'go', files: [{ path: 'main_test.go', content: testFile('    return x - y', checks) }, { path: 'zz_verdict_main_test.go', content: own }] });
    assert.equal(r.verdict, 'compile_error');
    assert.match(r.compile!.output, /multiple definitions of TestMain/);
  });
});
