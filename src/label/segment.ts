/**
 * Line segmentation of a reference program: each line blank, comment or
 * code, and statement spans. Python's come from its own parser (segment.py
 * in the image, run in a sandbox); other languages get a lexical pass that
 * knows line and block comments and string literals, and no statements.
 */
import { lineCount } from './edits.js';

export const lineKinds = ['blank', 'comment', 'code'] as const;
export type LineKind = (typeof lineKinds)[number];

export interface Statement {
  startLine: number;
  endLine: number;
  type: string;
  depth: number;
}

export interface Segmentation {
  kinds: LineKind[];
  statements: Statement[] | null;
}

/** segment.py's answer, checked: one kind per line, statements within the program. */
export function parsePythonSegmentation(stdout: string, source: string): Segmentation | undefined {
  const lines = lineCount(source);
  try {
    const parsed = JSON.parse(stdout) as { lines?: Array<{ line: number; kind: string }>; statements?: Statement[] };
    const kinds: LineKind[] = Array.from({ length: lines }, () => 'code');
    for (const l of parsed.lines ?? []) {
      if (l.line >= 1 && l.line <= lines && (lineKinds as readonly string[]).includes(l.kind)) kinds[l.line - 1] = l.kind as LineKind;
    }
    const statements = (parsed.statements ?? []).filter((st) => st.startLine >= 1 && st.endLine >= st.startLine && st.endLine <= lines);
    return { kinds, statements };
  } catch {
    return undefined;
  }
}

const C_FAMILY = new Set(['c', 'cpp', 'java', 'javascript', 'typescript', 'go', 'rust']);

/** Comments and strings lexically; a line is a comment when it holds comment text and nothing else. */
export function lexicalSegmentation(language: string, source: string): Segmentation {
  const hash = !C_FAMILY.has(language);
  const lines = source.split(/\r?\n/).slice(0, lineCount(source));
  const kinds: LineKind[] = [];
  let inBlock = false;
  for (const line of lines) {
    let code = false;
    let comment = inBlock;
    let quote: string | null = null;
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (inBlock) {
        if (c === '*' && line[i + 1] === '/') {
          inBlock = false;
          i++;
        }
        continue;
      }
      if (quote) {
        if (c === '\\') i++;
        else if (c === quote) quote = null;
        continue;
      }
      if (/\s/.test(c)) continue;
      if (hash ? c === '#' : c === '/' && line[i + 1] === '/') {
        comment = true;
        break;
      }
      if (!hash && c === '/' && line[i + 1] === '*') {
        comment = true;
        inBlock = true;
        i++;
        continue;
      }
      code = true;
      if (c === '"' || c === "'" || c === '`') quote = c;
    }
    kinds.push(code ? 'code' : comment ? 'comment' : 'blank');
  }
  return { kinds, statements: null };
}

/** Index of the innermost statement spanning each line (the deepest, then the shortest), or null. */
export function statementOfLine(lines: number, statements: Statement[] | null): Array<number | null> {
  const out: Array<number | null> = Array.from({ length: lines }, () => null);
  if (!statements) return out;
  statements.forEach((st, index) => {
    for (let l = st.startLine; l <= st.endLine && l <= lines; l++) {
      const current = out[l - 1];
      const prev = current === null || current === undefined ? undefined : statements[current]!;
      if (!prev || st.depth > prev.depth || (st.depth === prev.depth && st.endLine - st.startLine < prev.endLine - prev.startLine)) out[l - 1] = index;
    }
  });
  return out;
}
