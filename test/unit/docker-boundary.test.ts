/**
 * src/sandbox/ is the only Docker code: no file outside it imports dockerode. A linear scan
 * of import statements in src/, test/ and bench/, so a new import anywhere else fails here,
 * naming the file, before it spreads Docker's types into the domain.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCANNED_DIRS = ['src', 'test', 'bench'] as const;
const SOURCE_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'] as const;
const ALLOWED_DIR = 'src/sandbox/';
/** Built, not written out, so this file's own text does not import it in the scanner's eyes. */
const MODULE = ['docker', 'ode'].join('');
const QUOTES = ["'", '"', '`'] as const;
const IMPORT_FORMS = ['from ', 'import ', 'import(', 'require('] as const;
const NEEDLES = IMPORT_FORMS.flatMap((form) => QUOTES.map((quote) => ({ text: `${form}${quote}${MODULE}`, quote })));

/** Whether the text imports the module (or a path inside it) in any of the forms above. */
function importsModule(text: string): boolean {
  for (const needle of NEEDLES) {
    for (let at = text.indexOf(needle.text); at !== -1; at = text.indexOf(needle.text, at + needle.text.length)) {
      const next = text[at + needle.text.length];
      if (next === needle.quote || next === '/') return true;
    }
  }
  return false;
}

async function sourceFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await sourceFiles(rel)));
    else if (entry.isFile() && SOURCE_EXTENSIONS.some((ext) => entry.name.endsWith(ext))) files.push(rel);
  }
  return files;
}

async function importers(): Promise<string[]> {
  const files = (await Promise.all(SCANNED_DIRS.map((dir) => sourceFiles(dir)))).flat();
  const found: string[] = [];
  for (const file of files) if (importsModule(await readFile(path.join(ROOT, file), 'utf8'))) found.push(file);
  return found;
}

describe('the Docker boundary', () => {
  it('recognizes every import form, and not a mention or another package', () => {
    for (const text of [
      `import Docker from '${MODULE}';`,
      `import type Docker from "${MODULE}";`,
      `import {\n  type ContainerInfo,\n} from '${MODULE}';`,
      `const Docker = (await import('${MODULE}')).default;`,
      `const Docker = require('${MODULE}');`,
      `import '${MODULE}';`,
      `import modem from '${MODULE}/lib/modem.js';`,
    ]) {
      assert.equal(importsModule(text), true, text);
    }
    for (const text of [`// ${MODULE}'s own defaults`, `import compose from '${MODULE}-compose';`, `const name = '${MODULE}';`]) {
      assert.equal(importsModule(text), false, text);
    }
  });

  it(`finds the importers, all under ${ALLOWED_DIR}`, async () => {
    const found = await importers();
    assert.ok(found.includes('src/sandbox/docker-connection.ts'), `the scan sees the one client it must see: ${found.join(', ')}`);
    const outside = found.filter((file) => !file.startsWith(ALLOWED_DIR));
    assert.deepEqual(outside, [], `these import ${MODULE} outside ${ALLOWED_DIR}; use ContainerEngine or ImageEngine methods instead: ${outside.join(', ')}`);
  });
});
