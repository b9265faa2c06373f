/**
 * Sandbox images, tagged by content: a tag is a hash of the image folder, the
 * parent image's id and (for the base) the supervisor source, so any change to
 * a Dockerfile or what it copies yields a new tag and a rebuild, and an
 * unchanged tree reuses what is built.
 */
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { IMAGES_DIR } from '../paths.js';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import type { ContainerEngine } from '../sandbox/docker-engine.js';

const execFileAsync = promisify(execFile);

export { IMAGES_DIR };
export const BASE_FOLDER = 'base';
/** Where no registry is reachable, the base is bootstrapped from Debian's archive under this tag. */
export const BOOTSTRAP_TAG = 'verdict/debian-bootstrap:bookworm';
const REPOSITORY = 'verdict/sandbox';

export type Progress = (line: string) => void;

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
async function contextFiles(folder: string): Promise<Array<{ name: string; source: string }>> {
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

export class ImageCatalog {
  constructor(
    private readonly engine: ContainerEngine,
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

  /** Make sure the base exists: use it if present, else pull, else bootstrap with debootstrap. */
  async ensureBase(progress: Progress): Promise<{ ref: string; id: string }> {
    const present = await this.resolveBase();
    if (present) return present;
    progress(`pulling ${this.options.baseImage}`);
    try {
      await pull(this.engine.docker, this.options.baseImage, 60_000);
      return await this.requireBase();
    } catch (err) {
      progress(`cannot pull ${this.options.baseImage} (${(err as Error).message.split('\n')[0]}); bootstrapping ${BOOTSTRAP_TAG} from Debian's archive`);
    }
    const child = execFileAsync('bash', [path.join(IMAGES_DIR, 'bootstrap-base.sh'), BOOTSTRAP_TAG], { maxBuffer: 16 * 1024 * 1024 });
    child.child.stdout?.on('data', (d: Buffer) => progress(d.toString().trimEnd()));
    child.child.stderr?.on('data', (d: Buffer) => progress(d.toString().trimEnd()));
    await child;
    return this.requireBase();
  }

  private async requireBase(): Promise<{ ref: string; id: string }> {
    const base = await this.resolveBase();
    if (!base) throw new Error('no base image after pulling or bootstrapping');
    return base;
  }

  /** Build whatever of base + folders is missing. Returns the resolved images. */
  async ensure(folders: readonly string[], progress: Progress): Promise<Map<string, ResolvedImage>> {
    const base = await this.ensureBase(progress);
    const resolved = (await this.resolve(folders, base))!;
    let parent = base.ref;
    for (const [folder, image] of resolved) {
      if (!image.id) {
        progress(`building ${image.tag}`);
        await build(this.engine.docker, folder, image.tag, parent, (line) => progress(`[${folder}] ${line}`));
        image.id = (await this.engine.image(image.tag))?.id;
        progress(`built ${image.tag}`);
      } else {
        progress(`up to date: ${image.tag}`);
      }
      if (folder === BASE_FOLDER) parent = image.tag;
    }
    return resolved;
  }
}

/**
 * Remove sandbox images that no current tag names (earlier contents of the
 * folders). An image a container still uses is kept: removal is not forced.
 */
export async function pruneStale(docker: Docker, current: Iterable<ResolvedImage>, progress: Progress): Promise<void> {
  const keep = new Set([...current].map((i) => i.tag));
  const images = await docker.listImages({ filters: { reference: [`${REPOSITORY}-*`] } });
  for (const image of images) {
    for (const tag of image.RepoTags ?? []) {
      if (keep.has(tag)) continue;
      try {
        await docker.getImage(tag).remove();
        progress(`removed stale ${tag}`);
      } catch (err) {
        progress(`kept stale ${tag}: ${(err as Error).message.split('\n')[0]}`);
      }
    }
  }
}

async function pull(docker: Docker, ref: string, timeoutMs: number): Promise<void> {
  const stream = await docker.pull(ref);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pull timed out after ${timeoutMs} ms`)), timeoutMs);
    docker.modem.followProgress(stream, (err) => {
      clearTimeout(timer);
      if (err) reject(err);
      else resolve();
    });
  });
}

/** The Docker API takes a context from one directory: the folder's files and its shared ones are copied into a fresh one. */
async function build(docker: Docker, folder: string, tag: string, parent: string, progress: Progress): Promise<void> {
  const files = await contextFiles(folder);
  const context = await mkdtemp(path.join(os.tmpdir(), `verdict-image-${folder}-`));
  try {
    for (const { name, source } of files) await cp(source, path.join(context, name));
    await buildContext(docker, context, files.map(({ name }) => name), folder, tag, parent, progress);
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}

async function buildContext(docker: Docker, context: string, src: string[], folder: string, tag: string, parent: string, progress: Progress): Promise<void> {
  const stream = await docker.buildImage({ context, src }, {
    t: tag,
    buildargs: { BASE_IMAGE: parent },
    labels: { 'verdict.image': folder },
    rm: true,
    forcerm: true,
  });
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err, output: Array<{ error?: string }>) => {
        const failed = output?.find((o) => o.error);
        if (err) reject(err);
        else if (failed) reject(new Error(`building ${tag} failed: ${failed.error}`));
        else resolve();
      },
      (event: { stream?: string; status?: string }) => {
        const text = (event.stream ?? event.status ?? '').trimEnd();
        if (text) for (const line of text.split('\n')) progress(line);
      },
    );
  });
}
