/**
 * Go test files are judged as tests whatever else they declare: MultiPL-E's Go problems (as
 * SandboxFusion ships them, `package x_test`) with a model completion that adds a `func main`,
 * natively and through /run_code's `go_test`; and the SandboxFusion test-runner names Verdict
 * does not run are refused with the reason.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { startTestApp } from '../helpers/app.js';

const t = await startTestApp();

/** MultiPL-E's HumanEval_53_add in Go: its prompt, a completion with a main, then its tests. */
function multiplE(body: string): string {
  return `package add_test

import (
    "testing"
    "fmt"
)

// Add two numbers x and y
func add(x int, y int) int {
${body}
}

func main() {
    fmt.Println(add(2, 3))
}

func TestAdd(t *testing.T) {
  candidate := add
	type test struct {
		actual   interface{}
		expected interface{}
	}
   tests := []test{
     { actual: candidate(0, 1), expected: 1 },
     { actual: candidate(5, 7), expected: 12 },
   }

	for i, tc := range tests {
		t.Run(fmt.Sprintf("test num % d", i), func(t *testing.T) {
			if fmt.Sprintf("%v", tc.actual) != fmt.Sprintf("%v", tc.expected) {
				t.Errorf("expected '%s', got '%s'", tc.expected, tc.actual)
			}
		})
	}
}
// ${randomUUID()}
`;
}

describe('a Go test file with a func main', () => {
  it('is built with go test -c and passes when its tests pass', async () => {
    const r = await t.submit({ language: 'go', source: multiplE('    return x + y') });
    assert.equal(r.verdict, 'accepted', JSON.stringify(r.compile ?? r.tests[0]));
  });
  it('fails when its tests fail', async () => {
    const r = await t.submit({ language: 'go', source: multiplE('    return x - y') });
    assert.notEqual(r.verdict, 'accepted');
    assert.notEqual(r.verdict, 'compile_error', JSON.stringify(r.compile));
    assert.match(r.tests[0]!.stdout, /--- FAIL: TestAdd/);
  });
  it('in package main too', async () => {
    const r = await t.submit({ language: 'go', source: multiplE('    return x - y').replace('package add_test', 'package main') });
    assert.notEqual(r.verdict, 'compile_error', JSON.stringify(r.compile));
    assert.match(r.tests[0]!.stdout, /--- FAIL: TestAdd/);
  });
});

describe("/run_code's go_test", () => {
  async function runCode(body: Record<string, unknown>) {
    return t.app.inject({ method: 'POST', url: '/run_code', payload: body });
  }
  it('runs the code as a test file: Success when its tests pass, Failed when not', async () => {
    const good = await runCode({ code: multiplE('    return x + y'), language: 'go_test', run_timeout: 20 });
    assert.equal(good.statusCode, 200, good.body);
    assert.equal(good.json().status, 'Success', good.body);
    const bad = await runCode({ code: multiplE('    return x - y'), language: 'go_test', run_timeout: 20 });
    assert.equal(bad.statusCode, 200, bad.body);
    assert.equal(bad.json().status, 'Failed', bad.body);
    assert.equal(bad.json().compile_result.return_code, 0, bad.body);
    assert.match(bad.json().run_result.stdout, /--- FAIL: TestAdd/);
  });
  for (const name of ['pytest', 'junit', 'jest']) {
    it(`refuses ${name} with the reason`, async () => {
      const res = await runCode({ code: 'def test_a():\n    assert False\n', language: name });
      assert.equal(res.statusCode, 422, res.body);
      const msg: string = res.json().detail[0].msg;
      assert.ok(msg.startsWith(`'${name}' runs the code`), msg);
    });
  }
});
