/**
 * Line segmentation of a reference program: each line blank, comment or
 * code, and statement spans. A language with a parser-based segmenter (its
 * definition's `segmenter`: Python's segment.py in the image, run in a sandbox)
 * gets its answer; others get a lexical pass that knows the line and block
 * comments and string literals of the definition's `comments`, and no statements.
 */
import { languagesById, type LanguageId } from '../languages/registry.js';
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

/** Comments and strings lexically; a line is a comment when it holds comment text and nothing else. */
export function lexicalSegmentation(language: LanguageId, source: string): Segmentation {
  const { line: lineComment, block, quotes } = languagesById[language].comments;
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
        if (block && line.startsWith(block.close, i)) {
          inBlock = false;
          i += block.close.length - 1;
        }
        continue;
      }
      if (quote) {
        if (c === '\\') i++;
        else if (c === quote) quote = null;
        continue;
      }
      if (/\s/.test(c)) continue;
      if (line.startsWith(lineComment, i)) {
        comment = true;
        break;
      }
      if (block && line.startsWith(block.open, i)) {
        comment = true;
        inBlock = true;
        i += block.open.length - 1;
        continue;
      }
      code = true;
      if (quotes.includes(c)) quote = c;
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
