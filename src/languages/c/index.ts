import { gcovCoverage } from '../c-family/gcov.js';
import { baseEnv, type LanguageDefinition } from '../types.js';
import { cFamilyHarness } from '../c-family/harness.js';
import { cFamilyComments } from '../comments.js';

export const c: LanguageDefinition = {
  id: 'c',
  aliases: ['c17', 'gcc'],
  name: 'C17 (GCC)',
  imageFolder: 'c',
  sourceFile: 'main.c',
  sourcePattern: /\.c$/,
  compile: {
    argv: (ctx) => ['gcc', '-std=gnu17', '-O2', '-pipe', '-o', 'main', ...ctx.sources, '-lm'],
    memory: 'compile',
    display: 'gcc -std=gnu17 -O2 -pipe -o main <files> -lm',
  },
  run: { argv: () => ['./main'], display: './main' },
  coverage: gcovCoverage,
  env: () => ({ ...baseEnv }),
  versionCommand: ['gcc', '--version'],
  harness: cFamilyHarness('c'),
  fenceTags: ['c'],
  comments: cFamilyComments,
  cliExtensions: ['.c'],
  dropIn: { piston: { name: 'c', aliases: ['gcc'] }, sandboxFusion: [] },
};
