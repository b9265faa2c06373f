/** The process: parse config, build the app, listen, drain on SIGTERM/SIGINT. */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { parseConfig } from './config.js';
import { DockerEngine } from './sandbox/docker-engine.js';

const config = parseConfig(process.env, { cpuCount: os.availableParallelism(), randomId: defaultInstanceId() });
const app = await buildApp({ config, engine: new DockerEngine({ dockerHost: config.dockerHost, runtime: config.runtime }) });

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
