import { v8HeapMiB } from './javascript.js';
import { baseEnv, type LanguageDefinition } from './types.js';

export const typescript: LanguageDefinition = {
  id: 'typescript',
  aliases: ['ts'],
  name: 'TypeScript (tsc, Node.js)',
  imageFolder: 'typescript',
  sourceFile: 'main.ts',
  sourcePattern: /\.ts$/,
  compile: {
    argv: (ctx) => ['node', '/opt/verdict/ts/node_modules/typescript/bin/tsc', '-p', '/opt/verdict/ts/tsconfig.json', '--rootDir', '.', '--outDir', 'out', ...ctx.sources],
    memory: 'compile',
    display: 'tsc (ES2022, CommonJS, @types/node) <files> --outDir out',
  },
  run: {
    argv: (ctx) => ['node', `--max-old-space-size=${v8HeapMiB(ctx.memoryBytes)}`, '--require', '/opt/verdict/js/strict-assert.js', `out/${ctx.entry.replace(/\.ts$/, '.js')}`],
    display: 'node --max-old-space-size=<¾ of memoryBytes> --require strict-assert.js out/main.js',
  },
  env: () => ({ ...baseEnv, NODE_PATH: '/opt/verdict/js/node_modules' }),
  versionCommand: ['node', '/opt/verdict/ts/node_modules/typescript/bin/tsc', '--version'],
};
