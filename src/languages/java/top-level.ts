/**
 * What a Java source declares at its top level: its imports and the names of its types. The
 * source is the candidate's, so one linear walk over it with comments and literals blanked
 * (codeOnly), braces counted, and no pattern searching it freely.
 */
import { codeOnly } from './entry.js';

export interface JavaTopLevel {
  /** The import declarations as written again, one per entry (`import java.util.*;`). */
  imports: string[];
  /** Packages imported on demand (`import java.util.*;`), java.lang first: every file imports it. */
  onDemand: string[];
  /** Simple names imported one by one (`import java.util.List;`). */
  singleNames: Set<string>;
  /** Names of the top-level classes, interfaces, enums, records and annotation types. */
  types: string[];
}

const isIdentStart = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x24 || c >= 0x80;
const isIdentChar = (c: number) => isIdentStart(c) || (c >= 0x30 && c <= 0x39);
const isSpace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d);
const TYPE_WORDS = new Set(['class', 'interface', 'enum', 'record']);

export function javaTopLevel(source: string): JavaTopLevel {
  const code = codeOnly(source);
  const n = code.length;
  const out: JavaTopLevel = { imports: [], onDemand: ['java.lang'], singleNames: new Set(), types: [] };
  let depth = 0;
  for (let i = 0; i < n; ) {
    const c = code.charCodeAt(i);
    if (c === 0x7b) depth++;
    else if (c === 0x7d) depth = Math.max(0, depth - 1);
    if (depth > 0 || !isIdentStart(c) || (i > 0 && isIdentChar(code.charCodeAt(i - 1)))) {
      i++;
      continue;
    }
    let j = i;
    while (j < n && isIdentChar(code.charCodeAt(j))) j++;
    const word = code.slice(i, j);
    i = j;
    if (word === 'import') {
      const end = code.indexOf(';', j);
      if (end < 0) break;
      const body = code.slice(j, end).trim();
      const isStatic = body.startsWith('static') && body.length > 6 && isSpace(body.charCodeAt(6));
      const name = (isStatic ? body.slice(6) : body).replace(/\s+/g, '');
      out.imports.push(`import ${isStatic ? 'static ' : ''}${name};`);
      if (!isStatic && name.endsWith('.*')) out.onDemand.push(name.slice(0, -2));
      else if (!isStatic) out.singleNames.add(name.slice(name.lastIndexOf('.') + 1));
      i = end + 1;
    } else if (TYPE_WORDS.has(word)) {
      while (i < n && isSpace(code.charCodeAt(i))) i++;
      let k = i;
      while (k < n && isIdentChar(code.charCodeAt(k))) k++;
      if (k > i && isIdentStart(code.charCodeAt(i))) out.types.push(code.slice(i, k));
      i = k;
    }
  }
  return out;
}
