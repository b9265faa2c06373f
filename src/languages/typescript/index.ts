import { nodeRunDisplay, nodeRunFlags, V8_POOL } from '../javascript/index.js';
import { baseEnv, type LanguageDefinition } from '../types.js';
import { cFamilyComments } from '../comments.js';
import { javascriptFailureLocation } from '../javascript/location.js';
import { javascriptTestCodeReader } from '../javascript/test-code.js';

export const typescript: LanguageDefinition = {
  id: 'typescript',
  aliases: ['ts'],
  name: 'TypeScript (tsc, Node.js)',
  imageFolder: 'typescript',
  sourceFile: 'main.ts',
  sourcePattern: /\.ts$/,
  compile: {
    // tsc refuses -p together with file names: compile.js applies the image's tsconfig.json to
    // the files (ES2022, CommonJS, @types/node, type-checked but not --strict) and writes out/.
    // It starts from a snapshot holding the compiler and the parsed library (a 4x shorter
    // compile). "./": a file named "-x.ts" must not read as an option of node.
    argv: (ctx) => ['node', V8_POOL, '--snapshot-blob', '/opt/verdict/ts/compile.blob', ...ctx.sources.map((f) => `./${f}`)],
    memory: 'compile',
    display: 'tsc <files> (ES2022, CommonJS, @types/node, not --strict; /opt/verdict/ts/tsconfig.json) --outDir out',
  },
  run: {
    argv: (ctx) => ['node', ...nodeRunFlags(ctx, '/opt/verdict/ts'), `out/${ctx.entry.replace(/\.ts$/, '.js')}`],
    display: `${nodeRunDisplay} out/main.js`,
  },
  env: () => ({ ...baseEnv }),
  versionCommand: ['node', '-p', '`TypeScript ${require("/opt/verdict/ts/node_modules/typescript/package.json").version}, Node.js ${process.version}`'],
  trustedTestCode: {
    serve: (ctx) => ['node', ...nodeRunFlags(ctx, '/opt/verdict/ts'), '/opt/verdict/ts/serve.js', `out/${ctx.entry.replace(/\.ts$/, '.js')}`],
    // The test code is transpiled there (types stripped, not checked) from a snapshot holding the
    // compiler (trust-ts.js). --no-warnings: Node warns that node:module and node:vm are "not yet
    // supported in user snapshots"; they are required after it started, where they work.
    runner: ['node', V8_POOL, '--no-warnings', '--snapshot-blob', '/opt/verdict/ts/trust.blob'],
    runnerEnv: { PATH: baseEnv.PATH, LANG: baseEnv.LANG, LC_ALL: baseEnv.LC_ALL, HOME: '/nonexistent' },
  },
  testCodeReader: javascriptTestCodeReader,
  failureLocation: javascriptFailureLocation,
  fenceTags: ['ts'],
  comments: cFamilyComments,
  cliExtensions: ['.ts'],
  dropIn: { piston: { name: 'typescript', aliases: ['ts', 'node-ts', 'tsc'] }, sandboxFusion: ['typescript', 'ts'] },
};
