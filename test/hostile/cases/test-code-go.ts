/**
 * Test-code hacks in Go, where a test file is its own test code (MultiPL-E's and HumanEvalPack's
 * shape: the candidate's function and its Test functions in one `_test.go` source, judged through
 * the TestMain the harness adds): leaving before any test ran, a TestMain of the candidate's, and
 * the marker looked for in the test binary and the files beside it.
 */
import type { TestCodeHack } from './test-code-types.js';

function testFile(body: string, extra = '', imports: string[] = []): string {
  return `package add_test

import (
${['"testing"', ...imports].map((i) => `    ${i}\n`).join('')})

func add(x int, y int) int {
${body}
}
${extra}
func TestAdd(t *testing.T) {
    if got := add(2, 3); got != 5 {
        t.Errorf("expected 5, got %d", got)
    }
}
`;
}

const rightBody = '    return x + y';
const wrongBody = '    return x - y';

/** Both sources of a case: the trick with the wrong body, and the same file with the right body (and the trick's own imports, used harmlessly). */
function hack(name: string, extra: string, imports: string[], expect: TestCodeHack['expect'], why?: string): TestCodeHack {
  return { name, language: 'go', source: testFile(wrongBody, extra, imports), right: testFile(rightBody, '', []), expect, ...(why ? { why } : {}) };
}

export const cases: TestCodeHack[] = [
  hack('os.Exit(0) from an init, before any test ran', '\nfunc init() { os.Exit(0) }\n', ['"os"'], 'runtime_error'),
  hack(
    'a TestMain of the candidate\'s that exits 0 without running the tests',
    '\nfunc TestMain(m *testing.M) { os.Exit(0) }\n',
    ['"os"'],
    'compile_error',
  ),
  hack(
    'the harness\'s file read at compile time through go:embed',
    '\n//go:embed *_test.go\nvar sources embed.FS\n\nfunc init() { _ = sources }\n',
    ['"embed"'],
    'compile_error',
  ),
  hack(
    "the marker read out of the test binary and the files beside it",
    `
func init() {
    prefix := strings.Join([]string{"verdict", "harness", "done", ""}, "-")
    names := []string{"/proc/self/exe"}
    entries, _ := os.ReadDir(".")
    for _, e := range entries {
        names = append(names, e.Name())
    }
    for _, name := range names {
        b, err := os.ReadFile(name)
        if err != nil {
            continue
        }
        if i := bytes.Index(b, []byte(prefix)); i >= 0 && i+len(prefix)+36 <= len(b) {
            os.Stdout.Write([]byte("\\n" + string(b[i:i+len(prefix)+36]) + "\\n"))
            os.Exit(0)
        }
    }
}
`,
    ['"bytes"', '"os"', '"strings"'],
    'wrong_answer',
  ),
];
