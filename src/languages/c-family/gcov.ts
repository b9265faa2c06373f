/**
 * Line coverage of C and C++ programs: built with --coverage at the same -O2,
 * run under /opt/verdict/cover-gcov.sh (sandbox-images/base/cover-gcov.sh), which
 * sends the .gcda files to /tmp and, once the program has gone through exit(),
 * prints gcov's JSON for the program's own (relative) sources after the marker.
 *
 * What gcov can tell at -O2: it counts the basic blocks GCC instruments, after
 * the early optimizations. Lines it reports as run did run (no exception in
 * HumanEvalPack's 164 C++ solutions, against -O0 coverage), but it misses some
 * that ran (21% of theirs):
 *   - a line whose code became an SSA value has no record at all: a constant
 *     (`return true;`, `int c = 0;`), a plain assignment in a branch
 *     (`best = x;`), so such a taken branch looks untaken;
 *   - a small function the early inliner copied into its caller before the
 *     instrumentation counts in the copy, and gcov reports the function's own
 *     lines as never run (27 of the 164 solutions, e.g. a HumanEval candidate
 *     called from the test's main).
 * -fno-early-inlining would remove the second kind (all misses are then lines
 * without a record), but it changes code generation beyond the counters: a
 * solution with signed overflow (HumanEvalPack CPP/76, buggy) loops forever
 * without it and fails an assert with it, a verdict that would then depend on
 * asking for coverage. --coverage alone changed no verdict of the 328 programs.
 */
import type { LanguageDefinition } from '../types.js';

/** Added to the compile command of a traced C or C++ program. */
export const gcovCompileFlags = ['--coverage'] as const;

export const GCOV_WRAPPER = '/opt/verdict/cover-gcov.sh';

/** The test-code harness's own file (c-family/harness.ts), never the candidate's. */
const harnessFiles = new Set(['verdict_harness.c', 'verdict_harness.cpp']);

interface GcovLine {
  line_number?: unknown;
  count?: unknown;
}

interface GcovFile {
  file?: unknown;
  lines?: unknown;
}

/** "./a/../b.c" → "b.c"; undefined for a path outside the program directory. */
function programPath(file: string): string | undefined {
  if (file.startsWith('/')) return undefined;
  const parts: string[] = [];
  for (const part of file.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(part);
  }
  return parts.length > 0 ? parts.join('/') : undefined;
}

/**
 * gcov's JSON (`gcov -t -j`: one document per .gcda, here an array of them) →
 * executed lines (count > 0) per source file, relative to the program
 * directory. A header shared by several translation units gets the union of
 * their lines. undefined when the report is not gcov's.
 */
export function gcovLines(report: unknown): Record<string, number[]> | undefined {
  const documents = Array.isArray(report) ? report : [report];
  const executed = new Map<string, Set<number>>();
  for (const doc of documents) {
    const files = (doc as { files?: unknown } | null)?.files;
    if (!Array.isArray(files)) return undefined;
    for (const entry of files as GcovFile[]) {
      if (typeof entry?.file !== 'string' || !Array.isArray(entry.lines)) return undefined;
      const path = programPath(entry.file);
      if (path === undefined || harnessFiles.has(path)) continue;
      const lines = executed.get(path) ?? new Set<number>();
      executed.set(path, lines);
      for (const line of entry.lines as GcovLine[]) {
        const n = line?.line_number;
        const count = line?.count;
        if (typeof n === 'number' && Number.isInteger(n) && n >= 1 && typeof count === 'number' && count > 0) lines.add(n);
      }
    }
  }
  const coverage: Record<string, number[]> = {};
  for (const [path, lines] of executed) coverage[path] = [...lines].sort((a, b) => a - b);
  return coverage;
}

/** The coverage of a GCC-built program whose binary is ./main. */
export const gcovCoverage: NonNullable<LanguageDefinition['coverage']> = {
  argv: () => [GCOV_WRAPPER, './main'],
  markerEnv: 'VERDICT_COVERAGE_MARKER',
  compileFlags: gcovCompileFlags,
  fromReport: gcovLines,
  complete: false,
};
