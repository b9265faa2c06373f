/** The process: parse config, build the app, listen, drain on SIGTERM/SIGINT. */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { parseConfig } from './config.js';
import { DockerEngine } from './sandbox/docker-engine.js';

const parsed = parseConfig(process.env, { cpuCount: os.availableParallelism(), randomId: defaultInstanceId(), containerId: ownContainerId() });
const engine = new DockerEngine({ dockerHost: parsed.dockerHost, runtime: parsed.runtime });
// Peers remove the sandboxes of a parent they cannot find running, so name one only if the
// engine we drive knows it (a container on another engine, or Docker away at boot, is not).
const config = { ...parsed, parentContainer: (await engine.isRunning(parsed.parentContainer).catch(() => false)) ? parsed.parentContainer : undefined };
const app = await buildApp({ config, engine });
if (parsed.parentContainer && !config.parentContainer) app.log.warn({ container: parsed.parentContainer }, 'not found on the Docker engine in use; sandboxes will not name a parent');

closeWithGrace({ delay: config.shutdownGraceMs }, async ({ signal, err }) => {
  if (err) app.log.error({ err }, 'closing after an error');
  else app.log.info({ signal }, 'draining: new requests get 503, in-flight ones finish');
  await app.close();
});

await app.listen({ host: config.host, port: config.port });

/**
 * Stable across restarts of the same host or container, so the next start can
 * sweep what a crash left; replicas sharing one engine need distinct ids.
 */
function defaultInstanceId(): string {
  const host = os.hostname().replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 64);
  return host || randomUUID();
}

/**
 * The id of the Docker container this process runs in, if any: Docker bind-mounts the
 * container's own hostname and resolv.conf files from /var/lib/docker/containers/<id>/.
 */
function ownContainerId(): string | undefined {
  try {
    return /\/containers\/([0-9a-f]{64})\//.exec(readFileSync('/proc/self/mountinfo', 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}
