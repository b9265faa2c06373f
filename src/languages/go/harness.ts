import type { HiddenMarker, TestFileHarness } from '../compose.js';
import { goTestMainPackage, importsPackage } from './test-file.js';

/**
 * Go test files (a source importing "testing" with Test functions, built with go test -c) are
 * their own test code, so they get no composer; a file beside them in the same package adds a
 * TestMain. Once m.Run returns, every test ran: it prints the marker, and when m.Run's code is 1,
 * a test reported a failure through the testing package (t.Error, t.Fatal, testify's assert and
 * require, an Example's output), which is the check-failed marker. What the candidate causes never
 * returns from m.Run: a panic in a test (tRunner re-panics, exit 2; panic(nil) and runtime.Goexit
 * too), os.Exit or log.Fatal (the process ends there; os.Exit(0) panics under
 * -test.paniconexit0), a deadlock or a limit. An os.Exit(0) before the tests (in an init) skips the
 * marker too. This TestMain is the package's only one: a program that defines its own (which could
 * exit 0 before any test ran) does not compile ("multiple definitions of TestMain"). The imports are renamed
 * so no package-level name of the candidate's can clash. The marker is hidden (see
 * HiddenMarker), and the file is removed once compiled. Without a package clause the file is not
 * added and the run is judged by its exit status alone.
 */
function goTestMain(pkg: string, proof: HiddenMarker, embeds: boolean): string {
  return `package ${pkg}

import (
	verdictos "os"
	verdicttesting "testing"
)
${embeds ? '\n// go:embed reads files of the package directory at compile time, this one among them.\nvar _ int = "a test program may not import embed: it could read the harness\'s file"\n' : ''}
// The table is TestMain's own, no package variable a name leads to.
func verdictPrint(table []byte, start, length int) {
	line := make([]byte, length)
	for i := range line {
		line[i] = table[start+i] ^ table[start+length+i]
	}
	verdictos.Stdout.Write(line)
}

func TestMain(m *verdicttesting.M) {
	code := m.Run()
	table := []byte{${proof.list}}
	if code == 1 {
		verdictPrint(table, ${proof.failed.start}, ${proof.failed.length})
	}
	verdictPrint(table, ${proof.done.start}, ${proof.done.length})
	verdictos.Exit(code)
}
`;
}

/** The TestMain beside a test file built as the entry, in a file of a name the program does not use (a file of the program's own of that name must not stand in for it). */
export const goTestFileHarness: TestFileHarness = (entry, files, proof) => {
  if (entry !== 'main_test.go') return undefined;
  const taken = new Set(files.map((f) => f.path));
  let path = 'zz_verdict_main_test.go';
  for (let n = 2; taken.has(path); n++) path = `zz_verdict_main_${n}_test.go`;
  const pkg = goTestMainPackage(files.find((f) => f.path === entry)?.content ?? '');
  const embeds = files.some((f) => f.path.endsWith('.go') && importsPackage(f.content, 'embed'));
  return pkg === undefined ? undefined : { path, content: goTestMain(pkg, proof, embeds) };
};
