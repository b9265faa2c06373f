/**
 * Start-up waits on Docker (sweeping an earlier run's sandboxes, probing versions): a busy engine
 * makes that slow, and the wait is the service's to configure, not Fastify's fixed 10 s.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { buildApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { DockerEngine } from '../../src/sandbox/docker-engine.js';

/** An engine that is down (no socket) and whose sweep answers only after `delayMs`. */
class SlowSweep extends DockerEngine {
  constructor(private readonly delayMs: number) {
    super({ dockerHost: 'unix:///nonexistent/docker.sock' });
  }
  override async sweep(): Promise<number> {
    await sleep(this.delayMs);
    return 0;
  }
}

async function start(startupTimeoutMs: number, sweepMs: number): Promise<unknown> {
  const config = parseConfig({ LOG_LEVEL: 'silent', VERDICT_STARTUP_TIMEOUT_MS: String(startupTimeoutMs) }, { cpuCount: 2, randomId: 'startup-test' });
  const app = await buildApp({ config, engine: new SlowSweep(sweepMs) });
  try {
    await app.ready();
    return undefined;
  } catch (err) {
    return err;
  } finally {
    await app.close();
  }
}

describe('start-up waits on Docker as long as VERDICT_STARTUP_TIMEOUT_MS says', () => {
  it('a sweep slower than the bound fails the start, naming the timeout', async () => {
    // A bound far above what loading the plugins takes on a loaded machine (with 100 ms,
    // @fastify/swagger-ui itself timed out first under a full test run), far below the sweep.
    const err = (await start(1500, 4000)) as { code?: string } | undefined;
    assert.equal(err?.code, 'FST_ERR_HOOK_TIMEOUT');
  });

  it('a sweep inside the bound starts', async () => {
    assert.equal(await start(5000, 300), undefined);
  });

  it('defaults to two minutes, far above the 10 s a busy engine can exceed', () => {
    assert.equal(parseConfig({}, { cpuCount: 2, randomId: 'x' }).startupTimeoutMs, 120_000);
  });
});
