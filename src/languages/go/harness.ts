import { checkFailedMarker, type TestFileHarness } from '../compose.js';
import { goTestMainPackage } from './test-file.js';

/**
 * Go test files (a source importing "testing" with Test functions, built with go test -c) are
 * their own test code, so they get no composer; a file beside them in the same package adds a
 * TestMain. Once m.Run returns, every test ran: it prints the marker, and when m.Run's code is 1,
 * a test reported a failure through the testing package (t.Error, t.Fatal, testify's assert and
 * require, an Example's output), which is the check-failed marker. What the candidate causes never
 * returns from m.Run: a panic in a test (tRunner re-panics, exit 2; panic(nil) and runtime.Goexit
 * too), os.Exit or log.Fatal (the process ends there; os.Exit(0) panics under
 * -test.paniconexit0), a deadlock or a limit. An os.Exit(0) before the tests (in an init) skips the
 * marker too. The imports are renamed so no package-level name of the candidate's can clash.
 * Without a package clause, or when the program defines its own TestMain (one per package), the
 * file is not added and the run is judged by its exit status alone.
 */
function goTestMain(pkg: string, marker: string): string {
  return `package ${pkg}

import (
	verdictos "os"
	verdicttesting "testing"
)

func TestMain(m *verdicttesting.M) {
	code := m.Run()
	if code == 1 {
		verdictos.Stdout.WriteString("\\n${checkFailedMarker(marker)}\\n")
	}
	verdictos.Stdout.WriteString("\\n${marker}\\n")
	verdictos.Exit(code)
}
`;
}

/** The TestMain beside a test file built as the entry, unless the program has its own file of that name. */
export const goTestFileHarness: TestFileHarness = (entry, files, marker) => {
  if (entry !== 'main_test.go') return undefined;
  const path = 'zz_verdict_main_test.go';
  if (files.some((f) => f.path === path)) return undefined;
  const pkg = goTestMainPackage(files.find((f) => f.path === entry)?.content ?? '', files.filter((f) => f.path.endsWith('.go')).map((f) => f.content));
  return pkg === undefined ? undefined : { path, content: goTestMain(pkg, marker) };
};
