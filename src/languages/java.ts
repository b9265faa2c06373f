import { baseEnv, MiB, type LanguageDefinition } from './types.js';

const PUBLIC_CLASS = /^\s*public\s+(?:(?:final|abstract|strictfp)\s+)*class\s+([A-Za-z_$][\w$]*)/m;

/** javac wants a public class in a file of its name: the source decides the file name. */
function entryFor(source: string): string {
  return `${PUBLIC_CLASS.exec(source)?.[1] ?? 'Main'}.java`;
}

/** Heap below the memory limit, so running out of heap is a memory verdict, not a random kill. */
function heapMiB(memoryBytes: number): number {
  return Math.max(16, Math.floor((memoryBytes * 0.75) / MiB));
}

export const java: LanguageDefinition = {
  id: 'java',
  aliases: ['java17'],
  name: 'Java 17 (OpenJDK)',
  imageFolder: 'java',
  sourceFile: 'Main.java',
  entryFor,
  sourcePattern: /\.java$/,
  compile: {
    argv: (ctx) => ['javac', '-J-XX:+UseSerialGC', '-J-XX:TieredStopAtLevel=1', '-encoding', 'UTF-8', '-d', 'classes', ...ctx.sources],
    memory: 'compile',
    display: 'javac -encoding UTF-8 -d classes <files>',
  },
  run: {
    argv: (ctx) => ['java', `-Xmx${heapMiB(ctx.memoryBytes)}m`, '-Xss64m', '-XX:+UseSerialGC', '-cp', 'classes', ctx.entry.replace(/\.java$/, '').replaceAll('/', '.')],
    display: 'java -Xmx<¾ of memoryBytes> -Xss64m -XX:+UseSerialGC -cp classes <public class of the entry file>',
  },
  env: () => ({ ...baseEnv }),
  versionCommand: ['java', '-version'],
};
