import { isEsModule } from './es-module.js';
import { baseEnv, MiB, type BuildContext, type LanguageDefinition } from '../types.js';
import { cFamilyComments } from '../comments.js';
import { javascriptFailureLocation } from './location.js';
import { javascriptTestCodeReader } from './test-code.js';

/**
 * V8's old space, below the memory limit: V8 collects harder as it nears it instead of growing
 * into the cgroup's OOM killer. Running out of it aborts (SIGABRT): runtime_error, never accepted.
 */
export function v8HeapMiB(memoryBytes: number): number {
  return Math.max(16, Math.floor((memoryBytes * 0.75) / MiB));
}

/**
 * V8's stack in KiB. Its default (~1 MiB, about 14 000 frames) breaks correct deep recursion;
 * a quarter of the memory limit, at most 64 MiB, stays well inside RLIMIT_STACK (= the memory
 * limit), so overflowing it is still a RangeError and not a SIGSEGV.
 */
export function v8StackKiB(memoryBytes: number): number {
  return Math.max(984, Math.floor(Math.min(memoryBytes / 4, 64 * MiB) / 1024));
}

/**
 * Node runs 7 threads before a program does anything, 4 of them V8 helpers (and 4 more once
 * libuv's pool is used). A sandbox has one CPU, so one helper does as well (measured: ~5% less
 * CPU under GC load) and leaves more of the `processes` limit to the program: with it Node needs
 * 4 threads, 8 with libuv's pool. Short of them Node crashes, or with more helpers even hangs.
 */
export const V8_POOL = '--v8-pool-size=1';

/**
 * Node's flags for running a program, with two preloaded helpers from the image.
 * strict-assert.js is Verdict's rule for JavaScript and TypeScript: a failed console.assert
 * throws and the program exits non-zero (Node would only print and exit 0, so console.assert
 * tests such as HumanEvalPack's would accept anything). blocking-stdio.js makes writes to
 * stdout and stderr block when the pipe is full, as in other languages, instead of queueing
 * in memory (where process.exit() drops them and an endless printer never meets the cap).
 */
export function nodeRunFlags(ctx: BuildContext, helpers: string): string[] {
  return [
    V8_POOL,
    `--max-old-space-size=${v8HeapMiB(ctx.memoryBytes)}`,
    `--stack-size=${v8StackKiB(ctx.memoryBytes)}`,
    '--require',
    `${helpers}/blocking-stdio.js`,
    '--require',
    `${helpers}/strict-assert.js`,
  ];
}

export const nodeRunDisplay =
  'node --v8-pool-size=1 --max-old-space-size=<¾ of memoryBytes> --stack-size=<¼ of memoryBytes, ≤ 64 MiB> --require blocking-stdio.js --require strict-assert.js';

export const javascript: LanguageDefinition = {
  id: 'javascript',
  aliases: ['js', 'node', 'nodejs'],
  name: 'JavaScript (Node.js)',
  imageFolder: 'javascript',
  sourceFile: 'main.js',
  entryFor: (source) => (isEsModule(source) ? 'main.mjs' : 'main.js'),
  entryFiles: ['main.js', 'main.mjs', 'main.cjs'],
  sourcePattern: /\.(js|cjs|mjs)$/,
  compile: {
    // One node parses every file in-process (vm.SourceTextModule for ES modules needs the flag).
    argv: (ctx) => ['node', V8_POOL, '--experimental-vm-modules', '--no-warnings', '/opt/verdict/js/check.js', ...ctx.sources],
    memory: 'run',
    display: 'node /opt/verdict/js/check.js <files> (syntax check, as node --check; in run mode only after a test fails with a SyntaxError)',
    onlyAfterFailure: /\bSyntaxError\b/,
  },
  run: {
    argv: (ctx) => ['node', ...nodeRunFlags(ctx, '/opt/verdict/js'), ctx.entry],
    display: `${nodeRunDisplay} <main.js, or main.mjs for an ES module>`,
  },
  call: { argv: (ctx, entry) => ['node', ...nodeRunFlags(ctx, '/opt/verdict/js'), '/opt/verdict/js/call.js', ctx.entry, entry] },
  // js-md5 resolves through /node_modules (a link in the image): require() and import alike.
  env: () => ({ ...baseEnv }),
  versionCommand: ['node', '-p', '`Node.js ${process.version}`'],
  trustedTestCode: {
    serve: (ctx) => ['node', ...nodeRunFlags(ctx, '/opt/verdict/js'), '/opt/verdict/js/serve.js', ctx.entry],
    // Node's defaults otherwise: the test code is the dataset's, not the candidate's. It runs in /, outside the program's box.
    runner: ['node', V8_POOL, '/opt/verdict/js/trust.js'],
    runnerEnv: { PATH: baseEnv.PATH, LANG: baseEnv.LANG, LC_ALL: baseEnv.LC_ALL, HOME: '/nonexistent' },
  },
  testCodeReader: javascriptTestCodeReader,
  failureLocation: javascriptFailureLocation,
  fenceTags: ['js', 'node', 'javascript'],
  comments: cFamilyComments,
  cliExtensions: ['.js', '.mjs'],
  // HumanEval-X and HumanEvalPack prompts declare `const name = (...) => {`.
  definers: ['function ', 'async function ', 'const ', 'let ', 'var '],
  dropIn: { piston: { name: 'javascript', aliases: ['js', 'node', 'node-js', 'node-javascript'] }, sandboxFusion: ['nodejs', 'js'] },
};
