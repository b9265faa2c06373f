import { baseEnv, MiB, type LanguageDefinition } from './types.js';

const IMPORTS_TESTING = /^\s*import\s*(?:\(\s*[^)]*"testing"|"testing")/m;
const TEST_FUNC = /^\s*func\s+Test\w*\s*\(\s*\w*\s*\*testing\.T\s*\)/m;
const MAIN_FUNC = /^\s*func\s+main\s*\(\s*\)/m;

/**
 * A source with tests and no main (HumanEvalPack's shape) is a test file: go only builds
 * tests from a file named *_test.go, and then its tests are the run.
 */
function entryFor(source: string): string {
  return IMPORTS_TESTING.test(source) && TEST_FUNC.test(source) && !MAIN_FUNC.test(source) ? 'main_test.go' : 'main.go';
}

const isTest = (entry: string): boolean => entry.endsWith('_test.go');

export const go: LanguageDefinition = {
  id: 'go',
  aliases: ['golang'],
  name: 'Go 1.19 (with testify)',
  imageFolder: 'go',
  sourceFile: 'main.go',
  entryFor,
  entryFiles: ['main.go', 'main_test.go'],
  sourcePattern: /\.go$/,
  compile: {
    // The script keeps the go command's scratch space and cache in /box (/tmp may be smaller than a
    // linked binary) and turns a build that produced no executable (a package not named main) into a compile error.
    argv: (ctx) => ['sh', '/opt/verdict/go/compile.sh', isTest(ctx.entry) ? 'test' : 'build'],
    memory: 'compile',
    display: 'go build -o main . (a test file: go test -c -vet=off -o main .)',
  },
  run: {
    // As under go test: a test that calls os.Exit(0) fails rather than passing by exit status.
    argv: (ctx) => (isTest(ctx.entry) ? ['./main', '-test.paniconexit0'] : ['./main']),
    display: './main (a test file: ./main -test.paniconexit0)',
  },
  env: (ctx) => ({
    ...baseEnv,
    // GOPATH mode over Debian's Go sources and the archives the image precompiled: offline, nothing downloaded.
    GO111MODULE: 'off',
    GOPATH: '/usr/share/gocode',
    GOENV: 'off',
    // The image's standard library is built for this setting; there is no C compiler.
    CGO_ENABLED: '0',
    // Go sizes its scheduler from the host's CPUs, not the container's quota.
    GOMAXPROCS: String(Math.max(1, Math.floor(ctx.cpus))),
    // The default GC lets the heap reach twice the live data; a soft limit below the memory limit
    // makes it collect harder instead, so a program whose live data fits is not killed.
    GOMEMLIMIT: `${Math.max(16, Math.floor((ctx.memoryBytes * 0.9) / MiB))}MiB`,
  }),
  versionCommand: ['go', 'version'],
};
