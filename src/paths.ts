/**
 * Files the service reads at run time live in the repository (or the service
 * image's /app), found from here whether this module runs from src/ under tsx
 * or from dist/src/ after tsc.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
}

export const ROOT_DIR = findRoot();
export const IMAGES_DIR = path.join(ROOT_DIR, 'sandbox-images');
export const OPENAPI_FILE = path.join(ROOT_DIR, 'openapi', 'openapi.json');
