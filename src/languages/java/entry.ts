/** Which file a Java source must be saved as. */

/** The source with comments and literals blanked, so that braces and keywords left are code. */
export function codeOnly(source: string): string {
  let out = '';
  let i = 0;
  const blank = (text: string) => text.replace(/[^\n]/g, ' ');
  while (i < source.length) {
    const rest = source.slice(i, i + 3);
    let end: number;
    if (rest.startsWith('//')) end = source.indexOf('\n', i) === -1 ? source.length : source.indexOf('\n', i);
    else if (rest.startsWith('/*')) end = source.indexOf('*/', i + 2) === -1 ? source.length : source.indexOf('*/', i + 2) + 2;
    else if (rest === '"""') end = source.indexOf('"""', i + 3) === -1 ? source.length : source.indexOf('"""', i + 3) + 3;
    else if (rest[0] === '"' || rest[0] === "'") {
      end = i + 1;
      while (end < source.length && source[end] !== rest[0] && source[end] !== '\n') end += source[end] === '\\' ? 2 : 1;
      end = Math.min(end + 1, source.length);
    } else {
      out += source[i];
      i++;
      continue;
    }
    out += blank(source.slice(i, end));
    i = end;
  }
  return out;
}

const PUBLIC_TYPE = /\bpublic\s+(?:(?:abstract|final|strictfp|sealed|non-sealed|static)\s+)*(?:class|interface|enum|record|@\s*interface)\s+([A-Za-z_$][\w$]*)/g;

/** The first top-level public type's name, read from the source with comments and literals blanked (codeOnly). */
function publicTypeOf(code: string): string | undefined {
  let depth = 0;
  let scanned = 0;
  for (const match of code.matchAll(PUBLIC_TYPE)) {
    for (; scanned < match.index; scanned++) {
      if (code[scanned] === '{') depth++;
      else if (code[scanned] === '}') depth = Math.max(0, depth - 1);
    }
    if (depth === 0) return match[1];
  }
  return undefined;
}

/** javac wants a public top-level type in a file of its name: the source decides the file name. */
export function javaEntryFor(source: string): string {
  return `${publicTypeOf(codeOnly(source)) ?? 'Main'}.java`;
}

/** The file a source of no public type may take any name for: the name of its public type's file, else undefined. */
export function javaPublicFile(source: string): string | undefined {
  const name = publicTypeOf(codeOnly(source));
  return name === undefined ? undefined : `${name}.java`;
}
