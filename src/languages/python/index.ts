import { baseEnv, type LanguageDefinition } from '../types.js';
import { pythonFailureLocation } from './location.js';
import { pythonTestCodeReader } from './test-code.js';

export const python: LanguageDefinition = {
  id: 'python',
  aliases: ['py', 'python3'],
  name: 'Python 3',
  imageFolder: 'python',
  sourceFile: 'main.py',
  sourcePattern: /\.py$/,
  compile: {
    argv: (ctx) => ['python3', '/opt/verdict/python/check.py', ...ctx.sources],
    memory: 'run',
    display: 'python3 /opt/verdict/python/check.py <files> (syntax check; in run mode only after a test fails with a SyntaxError)',
    onlyAfterFailure: /\b(SyntaxError|IndentationError|TabError)\b/,
  },
  run: { argv: (ctx) => ['python3', ctx.entry], display: 'python3 main.py' },
  coverage: { argv: (ctx) => ['python3', '/opt/verdict/python/cover.py', ctx.entry], markerEnv: 'VERDICT_COVERAGE_MARKER', complete: true },
  call: { argv: (ctx, entry) => ['python3', '/opt/verdict/python/call.py', ctx.entry, entry] },
  env: () => ({
    ...baseEnv,
    // Same hash order on every run: a label must not depend on the seed.
    PYTHONHASHSEED: '0',
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONIOENCODING: 'utf-8',
    OPENBLAS_NUM_THREADS: '1',
    OMP_NUM_THREADS: '1',
  }),
  versionCommand: ['python3', '--version'],
  trustedTestCode: {
    serve: (ctx) => ['python3', '/opt/verdict/python/serve.py', ctx.entry],
    // -I: no PYTHON* variable (PYTHONOPTIMIZE would strip the asserts), no user site, no script
    // directory on the path; -B: nothing written. It runs in /, outside the program's box.
    runner: ['python3', '-I', '-B', '/opt/verdict/python/trust.py'],
    runnerEnv: { PATH: baseEnv.PATH, LANG: baseEnv.LANG, LC_ALL: baseEnv.LC_ALL, HOME: '/nonexistent' },
  },
  testCodeReader: pythonTestCodeReader,
  failureLocation: pythonFailureLocation,
  fenceTags: ['py', 'python3'],
  // Python has no backtick literal; the lexical pass reads one as it always has (it only runs when segment.py cannot parse the source).
  comments: { line: '#', quotes: ['"', "'", '`'] },
  segmenter: { argv: ['python3', '/opt/verdict/python/segment.py'] },
  cliExtensions: ['.py'],
  definers: ['def ', 'async def '],
  dropIn: { piston: { name: 'python', aliases: ['py', 'py3', 'python3'] }, sandboxFusion: ['python'] },
};
