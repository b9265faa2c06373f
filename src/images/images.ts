/**
 * Sandbox images, tagged by content: a tag is a hash of the image folder, the
 * parent image's id and (for the base) the supervisor source, so any change to
 * a Dockerfile or what it copies yields a new tag and a rebuild, and an
 * unchanged tree reuses what is built.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { IMAGES_DIR } from '../paths.js';
import type { ImageLookup } from '../sandbox/image-engine.js';

export { IMAGES_DIR };
export const BASE_FOLDER = 'base';
/** Where no registry is reachable, the base is bootstrapped from Debian's archive under this tag. */
export const BOOTSTRAP_TAG = 'verdict/debian-bootstrap:bookworm';
/** Every sandbox image is `${REPOSITORY}-<folder>:<content hash>`. */
export const REPOSITORY = 'verdict/sandbox';

export type Progress = (line: string) => void;

/** The files of a directory, relative, sorted: what is hashed is what is sent to the build. */
async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(path.join(dir, prefix), { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = path.posix.join(prefix, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(dir, rel)));
    else if (entry.isFile()) files.push(rel);
  }
  return files;
}

/** Files more than one image copies (Node's preloads for javascript and typescript), named in a Dockerfile as `shared/...`. */
const SHARED_FOLDER = 'shared';

/** An image's build context: its folder's files, then the shared files its Dockerfile names (by their path under sandbox-images/). */
export async function contextFiles(folder: string): Promise<Array<{ name: string; source: string }>> {
  const dir = path.join(IMAGES_DIR, folder);
  const dockerfile = await readFile(path.join(dir, 'Dockerfile'), 'utf8');
  const own = (await listFiles(dir)).map((name) => ({ name, source: path.join(dir, name) }));
  const shared = (await listFiles(IMAGES_DIR, SHARED_FOLDER)).filter((name) => dockerfile.includes(name));
  return [...own, ...shared.map((name) => ({ name, source: path.join(IMAGES_DIR, name) }))];
}

/** Hash of every file in an image's build context, with names, in a stable order. */
export async function folderHash(folder: string, parentId: string): Promise<string> {
  const hash = createHash('sha256').update(`parent ${parentId}\n`);
  for (const { name, source } of await contextFiles(folder)) {
    const content = await readFile(source);
    hash.update(`${name}\n${content.length}\n`).update(content);
  }
  return hash.digest('hex').slice(0, 16);
}

export interface ResolvedImage {
  folder: string;
  tag: string;
  /** The engine's image id (sha256:...), when built. */
  id: string | undefined;
}

/** Which tag each image folder maps to now, and whether the engine has it. Read-only: building is ImageBuilder's. */
export class ImageCatalog {
  constructor(
    private readonly engine: ImageLookup,
    private readonly options: { baseImage: string },
  ) {}

  /** The parent of all sandbox images: the configured base where present, else the bootstrapped one. */
  async resolveBase(): Promise<{ ref: string; id: string } | undefined> {
    for (const ref of [this.options.baseImage, BOOTSTRAP_TAG]) {
      const info = await this.engine.image(ref);
      if (info) return { ref, id: info.id };
    }
    return undefined;
  }

  /** Tags the current tree maps to, and whether each is built. Base first. */
  async resolve(folders: readonly string[], knownBase?: { id: string }): Promise<Map<string, ResolvedImage> | undefined> {
    const base = knownBase ?? (await this.resolveBase());
    if (!base) return undefined;
    const result = new Map<string, ResolvedImage>();
    const baseTag = `${REPOSITORY}-${BASE_FOLDER}:${await folderHash(BASE_FOLDER, base.id)}`;
    result.set(BASE_FOLDER, { folder: BASE_FOLDER, tag: baseTag, id: (await this.engine.image(baseTag))?.id });
    for (const folder of folders) {
      // A language whose folder is not there has no image: reported missing, not a crash.
      if (!existsSync(path.join(IMAGES_DIR, folder, 'Dockerfile'))) continue;
      const tag = `${REPOSITORY}-${folder}:${await folderHash(folder, baseTag)}`;
      result.set(folder, { folder, tag, id: (await this.engine.image(tag))?.id });
    }
    return result;
  }
}
