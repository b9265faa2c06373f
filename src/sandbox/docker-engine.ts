/**
 * Docker's containers, in domain verbs: start a sandbox, sweep, count. Everything else sees
 * the narrow `ContainerEngine` interface; images are the image engine's (image-engine.ts),
 * reached through the same connection.
 */
import { PassThrough, type Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { ImageMissingError } from '../errors.js';
import { connectDocker, dockerError, type DockerConnectionOptions, type DockerErrorShape } from './docker-connection.js';
import { DockerImageEngine, type ImageInfo, type ImageLookup } from './image-engine.js';
import { sandboxContainerConfig, type SandboxSpec } from './sandbox-config.js';

export type { SandboxSpec };

export const LABEL_MANAGED = 'verdict.managed';
export const LABEL_INSTANCE = 'verdict.instance';
export const LABEL_JOB = 'verdict.job';
export const LABEL_LANGUAGE = 'verdict.language';
/** The container of the service replica that started the sandbox, when it runs in one. */
export const LABEL_PARENT = 'verdict.parent';

/**
 * A removal Docker refused (409 while another removal runs, 500 when a loaded
 * engine saw no exit event within its own 2 s kill wait) is asked again, 100 ms,
 * 200 ms, … up to 2 s apart, for about this long before it is left to the orphan timer.
 */
const REMOVE_RETRY_MS = 30_000;

export interface ContainerExit {
  exitCode: number | null;
  oomKilled: boolean;
  error: string;
}

/** A started sandbox container: the supervisor's stdin and stdout, nothing else. */
export interface SandboxContainer {
  readonly id: string;
  readonly input: Duplex;
  readonly output: PassThrough;
  /** The supervisor's own diagnostics (its stderr), for error messages. */
  diagnostics(): string;
  setMemory(bytes: number): Promise<void>;
  inspectExit(): Promise<ContainerExit | undefined>;
  /** Kill and remove. Idempotent; never throws (a failed removal is retried later). */
  destroy(): Promise<void>;
}

/** A managed container as listed: enough to say what was left behind. */
export interface ManagedContainer {
  id: string;
  /** Docker's state word (created, running, exited, …) and its human status line. */
  state: string;
  status: string;
}

/** Sandboxes start from images, so a container engine also says which images it has. */
export interface ContainerEngine extends ImageLookup {
  ping(): Promise<void>;
  startSandbox(spec: SandboxSpec): Promise<SandboxContainer>;
  /** Remove every managed container carrying all of these labels; returns how many. */
  sweep(labels: Record<string, string>): Promise<number>;
  countManaged(labels: Record<string, string>): Promise<number>;
  /** Retry removing containers whose removal failed (Docker was away); returns how many are still left. */
  removeOrphans(): Promise<number>;
  /**
   * Remove the sandboxes whose parent container (LABEL_PARENT) no longer runs, other than
   * `own`'s: what a replica killed and then recreated or rescheduled left. Returns how many.
   */
  reapOrphanedParents(own: string | undefined): Promise<number>;
}

function labelFilter(labels: Record<string, string>): string[] {
  return [`${LABEL_MANAGED}=true`, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)];
}

export class DockerEngine implements ContainerEngine {
  private readonly docker: Docker;
  /** The image operations, on this engine's connection. */
  readonly images: DockerImageEngine;
  /** Containers we failed to remove; a timer retries until Docker lets us. */
  private readonly orphans = new Set<string>();
  private orphanTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: DockerConnectionOptions & { runtime?: string | undefined }) {
    this.docker = connectDocker(options);
    this.images = new DockerImageEngine(this.docker);
  }

  async ping(): Promise<void> {
    try {
      await this.docker.ping();
    } catch (err) {
      throw dockerError(err, 'ping the engine');
    }
  }

  image(ref: string): Promise<ImageInfo | undefined> {
    return this.images.image(ref);
  }

  async startSandbox(spec: SandboxSpec): Promise<SandboxContainer> {
    let container: Docker.Container;
    try {
      // The managed label is the engine's bookkeeping (sweep, count), beside whatever the caller labels.
      container = await this.docker.createContainer({ ...sandboxContainerConfig(spec, this.options.runtime), Labels: { ...spec.labels, [LABEL_MANAGED]: 'true' } });
    } catch (err) {
      if ((err as DockerErrorShape).statusCode === 404) {
        throw new ImageMissingError(`sandbox image ${spec.image} is not built (run npm run images)`, { cause: err });
      }
      throw dockerError(err, 'create a sandbox container');
    }

    const remove = (): Promise<void> => this.removeContainer(container.id);

    try {
      // Attach before start: a short-lived supervisor's output would otherwise be lost.
      const stream = (await container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as Duplex;
      const output = new PassThrough();
      const errors = new PassThrough();
      let diagnostics = '';
      errors.on('data', (chunk: Buffer) => {
        if (diagnostics.length < 16_384) diagnostics += chunk.toString('utf8');
      });
      container.modem.demuxStream(stream, output, errors);
      // demuxStream never ends its outputs: end them ourselves, or readers wait forever.
      const endOutputs = (): void => {
        output.end();
        errors.end();
      };
      stream.on('end', endOutputs);
      stream.on('close', endOutputs);
      stream.on('error', (err) => output.destroy(err));
      await container.start();

      let destroyed: Promise<void> | undefined;
      return {
        id: container.id,
        input: stream,
        output,
        diagnostics: () => diagnostics,
        setMemory: async (bytes: number) => {
          try {
            await container.update({ Memory: bytes, MemorySwap: bytes });
          } catch (err) {
            throw dockerError(err, 'update the sandbox memory limit');
          }
        },
        inspectExit: async () => {
          try {
            const info = await container.inspect();
            if (info.State.Running) return undefined;
            return { exitCode: info.State.ExitCode, oomKilled: info.State.OOMKilled, error: info.State.Error };
          } catch (err) {
            throw dockerError(err, 'inspect a sandbox container');
          }
        },
        destroy: () => {
          destroyed ??= (async () => {
            stream.destroy();
            await remove();
          })();
          return destroyed;
        },
      };
    } catch (err) {
      await remove().catch(() => undefined);
      throw dockerError(err, 'start a sandbox container');
    }
  }

  /** Remove one container; when Docker is away, remember it and retry later instead of failing the caller. */
  async removeContainer(id: string): Promise<void> {
    const started = performance.now();
    for (let attempt = 1; ; attempt++) {
      try {
        await this.docker.getContainer(id).remove({ force: true, v: true });
        this.orphans.delete(id);
        return;
      } catch (err) {
        const code = (err as DockerErrorShape).statusCode;
        if (code === 404) {
          this.orphans.delete(id);
          return;
        }
        // Docker answered but refused: the container is not gone until Docker says 404, so ask
        // again before resolving, because callers (drain, leak checks) take a resolved removal to
        // mean the container is gone. No answer at all (engine away) goes to the orphan timer.
        if (code !== undefined && performance.now() - started < REMOVE_RETRY_MS) {
          await new Promise((resolve) => setTimeout(resolve, Math.min(100 * attempt, 2_000)));
          continue;
        }
        this.orphans.add(id);
        this.orphanTimer ??= setInterval(() => void this.removeOrphans(), 5_000).unref();
        return;
      }
    }
  }

  async removeOrphans(): Promise<number> {
    for (const id of [...this.orphans]) await this.removeContainer(id);
    if (this.orphans.size === 0 && this.orphanTimer) {
      clearInterval(this.orphanTimer);
      this.orphanTimer = undefined;
    }
    return this.orphans.size;
  }

  async sweep(labels: Record<string, string>): Promise<number> {
    try {
      const found = await this.docker.listContainers({ all: true, filters: { label: labelFilter(labels) } });
      await Promise.all(
        found.map((c) =>
          this.docker
            .getContainer(c.Id)
            .remove({ force: true, v: true })
            .catch((err: DockerErrorShape) => {
              if (err.statusCode !== 404 && err.statusCode !== 409) throw err;
            }),
        ),
      );
      return found.length;
    } catch (err) {
      throw dockerError(err, 'sweep managed containers');
    }
  }

  async reapOrphanedParents(own: string | undefined): Promise<number> {
    try {
      const found = await this.docker.listContainers({ all: true, filters: { label: [`${LABEL_MANAGED}=true`, LABEL_PARENT] } });
      const parents = new Set(found.map((c) => c.Labels[LABEL_PARENT]!).filter((p) => p !== own));
      let reaped = 0;
      for (const parent of parents) {
        if (await this.isRunning(parent)) continue;
        reaped += await this.sweep({ [LABEL_PARENT]: parent });
      }
      return reaped;
    } catch (err) {
      throw dockerError(err, 'remove sandboxes of gone replicas');
    }
  }

  /** Whether a container runs (or is being restarted) on this engine. */
  async isRunning(id: string | undefined): Promise<boolean> {
    if (!id) return false;
    try {
      const info = await this.docker.getContainer(id).inspect();
      // A replica being restarted by its restart policy sweeps its own sandboxes when it is back.
      return info.State.Running || info.State.Restarting;
    } catch (err) {
      if ((err as DockerErrorShape).statusCode === 404) return false;
      throw err;
    }
  }

  async countManaged(labels: Record<string, string>): Promise<number> {
    return (await this.listManaged(labels)).length;
  }

  /** Every managed container, running or not, carrying all of these labels. */
  async listManaged(labels: Record<string, string>): Promise<ManagedContainer[]> {
    try {
      const found = await this.docker.listContainers({ all: true, filters: { label: labelFilter(labels) } });
      return found.map((c) => ({ id: c.Id, state: c.State, status: c.Status }));
    } catch (err) {
      throw dockerError(err, 'list managed containers');
    }
  }
}
