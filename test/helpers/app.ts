/** A real app on real Docker, one per test file, with its own instance label. */
import { randomUUID } from 'node:crypto';
import assert from 'node:assert/strict';
import { after, afterEach } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { DockerEngine, LABEL_INSTANCE } from '../../src/sandbox/docker-engine.js';
import type { SubmissionResult } from '../../src/schemas.js';

export interface TestApp {
  app: FastifyInstance;
  instanceId: string;
  engine: DockerEngine;
  submit(body: Record<string, unknown>): Promise<SubmissionResult>;
}

/**
 * Builds the app, closes it after the file, and after every test asserts that
 * no container of this instance is left behind.
 */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const instanceId = `test-${randomUUID().slice(0, 8)}`;
  const config = parseConfig({ LOG_LEVEL: 'silent', VERDICT_CONCURRENCY: '2', ...env }, { cpuCount: 2, randomId: instanceId });
  const engine = new DockerEngine({ dockerHost: config.dockerHost, runtime: config.runtime });
  const app = await buildApp({ config: { ...config, instanceId }, engine });
  // A start that fails must still close: its pool timers would otherwise keep the file's process,
  // and so the whole run, waiting forever.
  try {
    await app.ready();
  } catch (err) {
    await app.close();
    throw err;
  }
  after(() => app.close());
  afterEach(async () => {
    // Warm sandboxes are the pool's, by design; anything beyond them is a leak. The pool trims
    // idle ones on its own timer: when a trim starts while the containers are listed, the
    // listing may still hold what the pool no longer counts, so settle and count again.
    for (let attempt = 1; ; attempt++) {
      await app.judge.settle();
      const before = app.judge.stats().pool;
      const found = await engine.listManaged({ [LABEL_INSTANCE]: instanceId });
      const after = app.judge.stats().pool;
      const raced = after.closing > 0 || after.starting > 0 || after.idle !== before.idle;
      if (raced && attempt < 5) continue;
      const described = found.map((c) => `${c.id.slice(0, 12)} ${c.state} (${c.status})`).join(', ');
      assert.equal(found.length, before.idle, `a sandbox container was left behind: ${described}; pool ${JSON.stringify(after)}`);
      return;
    }
  });
  return {
    app,
    instanceId,
    engine,
    async submit(body) {
      const res = await app.inject({ method: 'POST', url: '/v1/submissions', payload: body });
      assert.equal(res.statusCode, 200, `expected a verdict, got HTTP ${res.statusCode}: ${res.body.slice(0, 1000)}`);
      return res.json<SubmissionResult>();
    },
  };
}
