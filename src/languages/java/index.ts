import { baseEnv, MiB, type BuildContext, type LanguageDefinition } from '../types.js';
import { javaEntryFor } from './entry.js';
import { javaHarness } from './harness.js';
import { cFamilyComments } from '../comments.js';
import { javaFailureLocation } from './location.js';

const HOME = '/opt/verdict/java';
/** Written by the compile driver: the class to run, read by the launcher as an @argfile. */
const MAIN_CLASS_FILE = 'classes/.main';

/**
 * Heap below the memory limit with room for the JVM's own memory (code, metaspace,
 * thread stacks, mapped archives: about 40 MiB for a small program).
 */
export function heapMiB(memoryBytes: number): number {
  const reserve = Math.min(96 * MiB, Math.max(40 * MiB, memoryBytes / 4));
  return Math.max(8, Math.floor((memoryBytes - reserve) / MiB));
}

/** Options both JVMs share. */
function jvm(ctx: BuildContext): string[] {
  return [
    // One CPU: no GC threads, the smallest footprint; and the count from the limits, not from what the runtime shows.
    '-XX:+UseSerialGC',
    `-XX:ActiveProcessorCount=${Math.max(1, Math.ceil(ctx.cpus))}`,
    // No hsperfdata file in /tmp.
    '-XX:-UsePerfData',
    // Deep recursion is common in judged programs; only the pages a thread touches count as memory.
    '-Xss64m',
    // A stack overflow otherwise walks the whole stack for @ReservedStackAccess frames, holding ~100 bytes
    // per frame: 250 MiB more at 64 MiB of stack, a memory verdict for what is a StackOverflowError.
    '-XX:StackReservedPages=0',
    // Out of heap, the JVM fills the rest of the container's memory, so the kernel's OOM kill gives the memory
    // verdict; exit 3 if that does not happen, never a program going on without the memory it asked for.
    '-XX:+ExitOnOutOfMemoryError',
    `-XX:OnOutOfMemoryError=${HOME}/fill-memory`,
  ];
}

export const java: LanguageDefinition = {
  id: 'java',
  aliases: ['java17'],
  name: 'Java 17 (OpenJDK)',
  imageFolder: 'java',
  sourceFile: 'Main.java',
  entryFor: javaEntryFor,
  sourcePattern: /\.java$/,
  compile: {
    // javac inside a driver that also picks the class to run (whatever the program calls it), with C1 only
    // and an archive of javac's classes made at image build: most of a small compile is JVM start-up.
    argv: (ctx) => [
      'java',
      ...jvm(ctx),
      '-XX:TieredStopAtLevel=1',
      '-XX:MaxRAMPercentage=60',
      `-XX:SharedArchiveFile=${HOME}/javac.jsa`,
      '-cp',
      `${HOME}/compile.jar`,
      'Compile',
      ctx.entry,
      MAIN_CLASS_FILE,
      '-encoding',
      'UTF-8',
      '-proc:none',
      '-d',
      'classes',
      ...ctx.sources,
    ],
    memory: 'compile',
    display: 'javac -encoding UTF-8 -proc:none -d classes <files> (in a driver that finds the class with main)',
  },
  run: {
    argv: (ctx) => [
      'java',
      ...jvm(ctx),
      `-Xmx${heapMiB(ctx.memoryBytes)}m`,
      // A young generation of 1/6 leaves most of the heap to one big array.
      '-XX:NewRatio=5',
      `-XX:SharedArchiveFile=${HOME}/run.jsa`,
      // Programs checked by their own asserts (HumanEval style) must fail when one does.
      '-ea',
      '-cp',
      'classes',
      `@${MAIN_CLASS_FILE}`,
    ],
    display: 'java -Xmx<memoryBytes less 40-96 MiB> -Xss64m -XX:+UseSerialGC -ea -cp classes <the class with main>',
  },
  env: () => ({ ...baseEnv }),
  versionCommand: ['java', '-version'],
  harness: javaHarness,
  failureLocation: javaFailureLocation,
  fenceTags: ['java'],
  comments: cFamilyComments,
  cliExtensions: ['.java'],
  dropIn: { piston: { name: 'java', aliases: [] }, sandboxFusion: ['java'] },
};
