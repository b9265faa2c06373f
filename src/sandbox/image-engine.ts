/**
 * Docker's image operations, in the verbs the image policy (src/images/) needs: look up,
 * list, build, pull, remove. Which tags exist and what to build is not decided here.
 */
import type Docker from 'dockerode';
import { dockerError, type DockerErrorShape } from './docker-connection.js';

export interface ImageInfo {
  id: string;
  labels: Record<string, string>;
}

/** What a service needs of images: whether one is there, and which it is. */
export interface ImageLookup {
  image(ref: string): Promise<ImageInfo | undefined>;
}

export interface ImageBuild {
  /** The build context: a directory and the files of it to send, relative, in a stable order. */
  contextDir: string;
  files: readonly string[];
  tag: string;
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
}

export interface ImageEngine extends ImageLookup {
  /** Tags of every image whose reference matches `pattern` (Docker's reference filter, e.g. `repo-*`). */
  tagsMatching(pattern: string): Promise<string[]>;
  /** Build and tag one image, passing each line of the build's output to `progress`; rejects when a step failed. */
  build(spec: ImageBuild, progress: (line: string) => void): Promise<void>;
  /** Pull from a registry; rejects after `timeoutMs` without an answer. */
  pull(ref: string, timeoutMs: number): Promise<void>;
  /** Untag (and delete when it was the last tag); not forced, so an image a container uses stays. */
  remove(tag: string): Promise<void>;
}

export class DockerImageEngine implements ImageEngine {
  /** The container engine's client: one connection for both. */
  constructor(private readonly docker: Docker) {}

  async image(ref: string): Promise<ImageInfo | undefined> {
    try {
      const info = await this.docker.getImage(ref).inspect();
      return { id: info.Id, labels: info.Config?.Labels ?? {} };
    } catch (err) {
      if ((err as DockerErrorShape).statusCode === 404) return undefined;
      throw dockerError(err, `inspect image ${ref}`);
    }
  }

  async tagsMatching(pattern: string): Promise<string[]> {
    const images = await this.docker.listImages({ filters: { reference: [pattern] } });
    return images.flatMap((image) => image.RepoTags ?? []);
  }

  async remove(tag: string): Promise<void> {
    await this.docker.getImage(tag).remove();
  }

  async pull(ref: string, timeoutMs: number): Promise<void> {
    const stream = await this.docker.pull(ref);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`pull timed out after ${timeoutMs} ms`)), timeoutMs);
      this.docker.modem.followProgress(stream, (err) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      });
    });
  }

  async build(spec: ImageBuild, progress: (line: string) => void): Promise<void> {
    const stream = await this.docker.buildImage({ context: spec.contextDir, src: [...spec.files] }, {
      t: spec.tag,
      buildargs: spec.buildArgs,
      labels: spec.labels,
      rm: true,
      forcerm: true,
    });
    await new Promise<void>((resolve, reject) => {
      this.docker.modem.followProgress(
        stream,
        (err, output: Array<{ error?: string }>) => {
          const failed = output?.find((o) => o.error);
          if (err) reject(err);
          else if (failed) reject(new Error(`building ${spec.tag} failed: ${failed.error}`));
          else resolve();
        },
        (event: { stream?: string; status?: string }) => {
          const text = (event.stream ?? event.status ?? '').trimEnd();
          if (text) for (const line of text.split('\n')) progress(line);
        },
      );
    });
  }
}
