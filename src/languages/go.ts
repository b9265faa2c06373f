import { baseEnv, MiB, type LanguageDefinition } from './types.js';

const TEST_FILE = /^\s*import\s*(?:\(\s*[^)]*"testing"|"testing")/m;

export const go: LanguageDefinition = {
  id: 'go',
  aliases: ['golang'],
  name: 'Go (Debian golang-go)',
  imageFolder: 'go',
  sourceFile: 'main.go',
  // A file that imports "testing" is a test file: built with go test -c, its tests are the run.
  entryFor: (source) => (TEST_FILE.test(source) && /\bfunc\s+Test\w*\s*\(/.test(source) ? 'main_test.go' : 'main.go'),
  entryFiles: ['main.go', 'main_test.go'],
  sourcePattern: /\.go$/,
  compile: {
    argv: (ctx) => (ctx.entry.endsWith('_test.go') ? ['go', 'test', '-c', '-o', 'main', '.'] : ['go', 'build', '-o', 'main', '.']),
    memory: 'compile',
    display: 'go build -o main . (go test -c -o main . for a test file)',
  },
  run: { argv: () => ['./main'], display: './main' },
  env: (ctx) => ({
    ...baseEnv,
    // GOPATH mode over Debian's Go sources: builds offline, no module downloads.
    GO111MODULE: 'off',
    GOPATH: '/usr/share/gocode',
    GOCACHE: '/tmp/go-build',
    GOFLAGS: '-buildvcs=false',
    CGO_ENABLED: '0',
    GOMAXPROCS: String(Math.max(1, Math.floor(ctx.cpus))),
    GOMEMLIMIT: `${Math.max(16, Math.floor((ctx.memoryBytes * 0.9) / MiB))}MiB`,
  }),
  versionCommand: ['go', 'version'],
};
