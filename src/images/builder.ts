/**
 * Builds what the catalog says is missing, parents first: the base is used where present,
 * else pulled, else bootstrapped from Debian's archive; each image is built on its parent.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ImageEngine } from '../sandbox/image-engine.js';
import { BASE_FOLDER, BOOTSTRAP_TAG, contextFiles, IMAGES_DIR, type ImageCatalog, type Progress, type ResolvedImage } from './images.js';

const execFileAsync = promisify(execFile);
/** How long a pull of the base may stay silent before the bootstrap is tried instead. */
const PULL_TIMEOUT_MS = 60_000;

export class ImageBuilder {
  constructor(
    private readonly engine: ImageEngine,
    private readonly catalog: ImageCatalog,
    private readonly options: { baseImage: string },
  ) {}

  /** Build whatever of base + folders is missing. Returns the resolved images. */
  async ensure(folders: readonly string[], progress: Progress): Promise<Map<string, ResolvedImage>> {
    const base = await this.ensureBase(progress);
    const resolved = (await this.catalog.resolve(folders, base))!;
    let parent = base.ref;
    for (const [folder, image] of resolved) {
      if (!image.id) {
        progress(`building ${image.tag}`);
        await this.build(folder, image.tag, parent, (line) => progress(`[${folder}] ${line}`));
        image.id = (await this.engine.image(image.tag))?.id;
        progress(`built ${image.tag}`);
      } else {
        progress(`up to date: ${image.tag}`);
      }
      if (folder === BASE_FOLDER) parent = image.tag;
    }
    return resolved;
  }

  /** Make sure the base exists: use it if present, else pull, else bootstrap with debootstrap. */
  async ensureBase(progress: Progress): Promise<{ ref: string; id: string }> {
    const present = await this.catalog.resolveBase();
    if (present) return present;
    progress(`pulling ${this.options.baseImage}`);
    try {
      await this.engine.pull(this.options.baseImage, PULL_TIMEOUT_MS);
      return await this.requireBase();
    } catch (err) {
      progress(`cannot pull ${this.options.baseImage} (${(err as Error).message.split('\n')[0]}); bootstrapping ${BOOTSTRAP_TAG} from Debian's archive`);
    }
    await bootstrapBase(progress);
    return this.requireBase();
  }

  private async requireBase(): Promise<{ ref: string; id: string }> {
    const base = await this.catalog.resolveBase();
    if (!base) throw new Error('no base image after pulling or bootstrapping');
    return base;
  }

  /** The Docker API takes a context from one directory: the folder's files and the shared ones it names are copied into a fresh one. */
  private async build(folder: string, tag: string, parent: string, progress: Progress): Promise<void> {
    const files = await contextFiles(folder);
    const contextDir = await mkdtemp(path.join(os.tmpdir(), `verdict-image-${folder}-`));
    try {
      for (const { name, source } of files) await cp(source, path.join(contextDir, name));
      const spec = { contextDir, files: files.map(({ name }) => name), tag, buildArgs: { BASE_IMAGE: parent }, labels: { 'verdict.image': folder } };
      await this.engine.build(spec, progress);
    } finally {
      await rm(contextDir, { recursive: true, force: true });
    }
  }
}

/** Where no registry answers: debootstrap Debian into BOOTSTRAP_TAG (the script imports it into the engine). */
async function bootstrapBase(progress: Progress): Promise<void> {
  const child = execFileAsync('bash', [path.join(IMAGES_DIR, 'bootstrap-base.sh'), BOOTSTRAP_TAG], { maxBuffer: 16 * 1024 * 1024 });
  child.child.stdout?.on('data', (d: Buffer) => progress(d.toString().trimEnd()));
  child.child.stderr?.on('data', (d: Buffer) => progress(d.toString().trimEnd()));
  await child;
}
