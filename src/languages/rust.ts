import { baseEnv, type LanguageDefinition } from './types.js';

const CRATES = ['rand', 'regex', 'md5'] as const;
const DEPS = '/opt/verdict/rust/deps';

export const rust: LanguageDefinition = {
  id: 'rust',
  aliases: ['rs'],
  name: 'Rust (Debian rustc, with rand, regex, md5)',
  imageFolder: 'rust',
  sourceFile: 'main.rs',
  sourcePattern: /\.rs$/,
  compile: {
    // A program with #[test] functions is built as its test harness: its tests are the run.
    argv: (ctx) => [
      'rustc',
      ...(/#\[test\]/.test(ctx.entrySource) ? ['--test'] : []),
      '--edition',
      '2021',
      '-O',
      '-o',
      'main',
      '-L',
      `dependency=${DEPS}`,
      ...CRATES.flatMap((crate) => ['--extern', `${crate}=${DEPS}/lib${crate}.rlib`]),
      'main.rs',
    ],
    memory: 'compile',
    display: `rustc --edition 2021 -O -o main --extern {${CRATES.join(',')}} main.rs (--test when it has #[test] functions)`,
  },
  run: { argv: () => ['./main'], display: './main' },
  env: () => ({ ...baseEnv }),
  versionCommand: ['rustc', '--version'],
};
