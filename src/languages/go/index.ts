import { baseEnv, MiB, type LanguageDefinition } from '../types.js';
import { goTestFileHarness } from './harness.js';
import { goEntryFor } from './test-file.js';
import { cFamilyComments } from '../comments.js';
import { goFailureLocation } from './location.js';

const isTest = (entry: string): boolean => entry.endsWith('_test.go');

export const go: LanguageDefinition = {
  id: 'go',
  aliases: ['golang'],
  name: 'Go 1.19 (with testify)',
  imageFolder: 'go',
  sourceFile: 'main.go',
  entryFor: goEntryFor,
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
  testFileHarness: goTestFileHarness,
  failureLocation: goFailureLocation,
  fenceTags: ['golang'],
  comments: cFamilyComments,
  cliExtensions: ['.go'],
  // SandboxFusion writes go_test code to a *_test.go file and runs `go test` on it.
  dropIn: { piston: { name: 'go', aliases: ['golang'] }, sandboxFusion: ['go', 'go_test'] },
};
