import { baseEnv, type LanguageDefinition } from '../types.js';
import { cFamilyComments } from '../comments.js';
import { rustHarness } from './harness.js';
import { rustFailureLocation } from './location.js';

/** The crates a program may use, prebuilt in the image from Debian's sources (rand 0.8, regex 1.7, md5 0.7). */
const CRATES = ['rand', 'regex', 'md5'] as const;
const DEPS = '/opt/verdict/rust/deps';
const HASH_KEYS = '/opt/verdict/rust/hashkeys.o';
const TEST_EXIT = '/opt/verdict/rust/testexit.o';

const TEST_FN = /#\s*\[\s*test\s*\]/;
const MAIN_FN = /\bfn\s+main\s*\(\s*\)\s*(?:->\s*\(\s*\)\s*)?\{([^{}]*)\}/;

/**
 * HumanEvalPack's shape: #[test] functions and an empty (or no) main. Built as its test harness,
 * the tests are the run (a failing test exits 101, an exit(0) inside one exits 1). A program whose
 * main does something is that program, even if it also carries tests.
 */
export function isTestProgram(source: string): boolean {
  if (!TEST_FN.test(source)) return false;
  const main = MAIN_FN.exec(source.replace(/\/\/[^\n]*/g, ''));
  if (main) return main[1]!.trim() === '';
  return !/\bfn\s+main\s*\(/.test(source);
}

export const rust: LanguageDefinition = {
  id: 'rust',
  aliases: ['rs'],
  name: 'Rust 1.63 (with rand, regex, md5)',
  imageFolder: 'rust',
  sourceFile: 'main.rs',
  sourcePattern: /\.rs$/,
  compile: {
    argv: (ctx) => [
      'rustc',
      // A test that calls std::process::exit(0) fails rather than ending the run as passed (testexit.c).
      ...(isTestProgram(ctx.entrySource) ? ['--test', '-C', `link-arg=${TEST_EXIT}`, '-C', 'link-arg=-Wl,--export-dynamic-symbol=exit'] : []),
      '--edition',
      '2021',
      '-O',
      // One codegen unit: on a one-CPU sandbox parallel codegen only costs CPU time, and rustc's
      // default of 16 starts ~30 threads, which cannot compile under a small process limit.
      '-C',
      'codegen-units=1',
      // std and libtest from the image's shared libraries: linking a small program this way costs
      // a fraction of linking 18 MB of static std, and the binary only ever runs in this image.
      '-C',
      'prefer-dynamic',
      // As under cargo test and cargo run (debug builds): an overflowing i32 panics instead of
      // silently wrapping into an answer. It costs no measurable compile time.
      '-C',
      'overflow-checks=on',
      // Fixed HashMap/HashSet seeds (sandbox-images/rust/hashkeys.c): one iteration order on every run.
      '-C',
      `link-arg=${HASH_KEYS}`,
      '-C',
      'link-arg=-Wl,--export-dynamic-symbol=getrandom',
      '-o',
      'main',
      '-L',
      `dependency=${DEPS}`,
      ...CRATES.flatMap((crate) => ['--extern', `${crate}=${DEPS}/lib${crate}.rlib`]),
      ctx.entry,
    ],
    memory: 'compile',
    display: `rustc --edition 2021 -O -C codegen-units=1 -C prefer-dynamic -C overflow-checks=on -C link-arg=hashkeys.o -o main --extern {${CRATES.join(',')}} main.rs (with --test -C link-arg=testexit.o when it has #[test] functions and an empty or no main)`,
  },
  run: { argv: () => ['./main'], display: './main' },
  env: () => ({
    ...baseEnv,
    // The test harness runs its tests one at a time on the main thread: no thread per test
    // against the process limit, the main thread's full stack for deep recursion, a fixed order.
    RUST_TEST_THREADS: '1',
  }),
  versionCommand: ['rustc', '--version'],
  harness: rustHarness,
  failureLocation: rustFailureLocation,
  fenceTags: ['rs'],
  comments: cFamilyComments,
  cliExtensions: ['.rs'],
  dropIn: { piston: { name: 'rust', aliases: ['rs'] }, sandboxFusion: ['rust'] },
};
