/**
 * Supported languages. Adding one is a folder in sandbox-images/ (Dockerfile
 * and smoke.json) plus one entry here.
 */

export interface LanguageDefinition {
  id: string;
  aliases: readonly string[];
  name: string;
  /** Folder under sandbox-images/ that builds this language's image. */
  imageFolder: string;
  /** The file `source` is written to, and the entry point a `files` program must contain. */
  sourceFile: string;
  /** Files of a multi-file program the compiler is handed. */
  sourcePattern: RegExp;
  compile?: {
    argv(sources: readonly string[]): string[];
    /** "run": a syntax check that needs no more than the program's own memory limit. */
    memory: 'compile' | 'run';
    /** Shown in GET /v1/languages. */
    display: string;
  };
  run: { argv: readonly string[] };
  /** The whole environment of compile and run; nothing is inherited. */
  env: Readonly<Record<string, string>>;
  versionCommand: readonly string[];
}

const baseEnv = {
  PATH: '/usr/local/bin:/usr/bin:/bin',
  HOME: '/tmp',
  TMPDIR: '/tmp',
  LANG: 'C.UTF-8',
  LC_ALL: 'C.UTF-8',
} as const;

export const languages: readonly LanguageDefinition[] = [
  {
    id: 'python',
    aliases: ['py', 'python3'],
    name: 'Python 3',
    imageFolder: 'python',
    sourceFile: 'main.py',
    sourcePattern: /\.py$/,
    compile: {
      argv: (sources) => ['python3', '/opt/verdict/python/check.py', ...sources],
      memory: 'run',
      display: 'python3 /opt/verdict/python/check.py <files> (syntax check)',
    },
    run: { argv: ['python3', 'main.py'] },
    env: {
      ...baseEnv,
      // Same hash order on every run: a label must not depend on the seed.
      PYTHONHASHSEED: '0',
      PYTHONDONTWRITEBYTECODE: '1',
      PYTHONIOENCODING: 'utf-8',
      OPENBLAS_NUM_THREADS: '1',
      OMP_NUM_THREADS: '1',
    },
    versionCommand: ['python3', '--version'],
  },
  {
    id: 'cpp',
    aliases: ['c++', 'cpp17', 'g++'],
    name: 'C++17 (GCC)',
    imageFolder: 'cpp',
    sourceFile: 'main.cpp',
    sourcePattern: /\.(cpp|cc|cxx)$/,
    compile: {
      argv: (sources) => ['g++', '-std=gnu++17', '-O2', '-pipe', '-o', 'main', ...sources, '-lcrypto', '-lm'],
      memory: 'compile',
      display: 'g++ -std=gnu++17 -O2 -pipe -o main <files> -lcrypto -lm',
    },
    run: { argv: ['./main'] },
    env: baseEnv,
    versionCommand: ['g++', '--version'],
  },
];

const byName = new Map<string, LanguageDefinition>();
for (const lang of languages) {
  for (const name of [lang.id, ...lang.aliases]) {
    if (byName.has(name)) throw new Error(`language name ${name} is defined twice`);
    byName.set(name, lang);
  }
}

export function findLanguage(name: string): LanguageDefinition | undefined {
  return byName.get(name.toLowerCase());
}

export const languageIds = languages.map((l) => l.id);
