/** The OpenAPI document exactly as the running service generates it from the zod schemas. */
import { buildApp } from './app.js';
import { parseConfig } from './config.js';
import { DockerEngine } from './sandbox/docker-engine.js';

export { OPENAPI_FILE as OPENAPI_PATH } from './paths.js';

export async function generateOpenApi(): Promise<string> {
  // Built from the defaults, never from this machine's environment, so the file is stable.
  const config = parseConfig({ LOG_LEVEL: 'silent' }, { cpuCount: 1, randomId: 'openapi' });
  const app = await buildApp({ config, engine: new DockerEngine({ dockerHost: 'unix:///nonexistent/openapi.sock' }) });
  try {
    // Ready against an engine that is not there: it only logs (silently) that Docker is unusable.
    await app.ready();
    return `${JSON.stringify(app.swagger(), null, 2)}\n`;
  } finally {
    await app.close();
  }
}
