import { gcovCoverage } from '../c-family/gcov.js';
import { baseEnv, type LanguageDefinition } from '../types.js';
import { cFamilyHarness } from '../c-family/harness.js';
import { cFamilyComments } from '../comments.js';

export const cpp: LanguageDefinition = {
  id: 'cpp',
  aliases: ['c++', 'cpp17', 'g++'],
  name: 'C++17 (GCC)',
  imageFolder: 'cpp',
  sourceFile: 'main.cpp',
  sourcePattern: /\.(cpp|cc|cxx)$/,
  compile: {
    argv: (ctx) => ['g++', '-std=gnu++17', '-O2', '-pipe', '-o', 'main', ...ctx.sources, '-lcrypto', '-lm'],
    memory: 'compile',
    display: 'g++ -std=gnu++17 -O2 -pipe -o main <files> -lcrypto -lm',
  },
  run: { argv: () => ['./main'], display: './main' },
  coverage: gcovCoverage,
  env: () => ({ ...baseEnv }),
  versionCommand: ['g++', '--version'],
  harness: cFamilyHarness('cpp'),
  fenceTags: ['c++', 'cc', 'cxx'],
  comments: cFamilyComments,
  cliExtensions: ['.cpp', '.cc', '.cxx'],
  dropIn: { piston: { name: 'c++', aliases: ['cpp', 'g++'] }, sandboxFusion: ['cpp'] },
};
