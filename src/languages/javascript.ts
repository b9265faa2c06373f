import { baseEnv, MiB, type LanguageDefinition } from './types.js';

export function v8HeapMiB(memoryBytes: number): number {
  return Math.max(16, Math.floor((memoryBytes * 0.75) / MiB));
}

export const javascript: LanguageDefinition = {
  id: 'javascript',
  aliases: ['js', 'node', 'nodejs'],
  name: 'JavaScript (Node.js)',
  imageFolder: 'javascript',
  sourceFile: 'main.js',
  sourcePattern: /\.(js|cjs|mjs)$/,
  compile: {
    argv: (ctx) => ['node', '/opt/verdict/js/check.js', ...ctx.sources],
    memory: 'run',
    display: 'node --check on every file (syntax check)',
  },
  run: {
    // A failed console.assert throws: otherwise it only prints and the program exits 0.
    argv: (ctx) => ['node', `--max-old-space-size=${v8HeapMiB(ctx.memoryBytes)}`, '--require', '/opt/verdict/js/strict-assert.js', ctx.entry],
    display: 'node --max-old-space-size=<¾ of memoryBytes> --require strict-assert.js main.js',
  },
  env: () => ({ ...baseEnv, NODE_PATH: '/opt/verdict/js/node_modules' }),
  versionCommand: ['node', '--version'],
};
