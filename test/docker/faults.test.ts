/**
 * Infrastructure faults are errors, never verdicts, and the service heals:
 * Docker gone mid-request, Docker back, the service itself SIGKILLed.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { buildApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { DockerEngine, LABEL_INSTANCE } from '../../src/sandbox/docker-engine.js';
import { DockerProxy } from '../helpers/docker-proxy.js';
import { freePort, until } from '../helpers/wait.js';

const realEngine = new DockerEngine({});
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

const slowProgram = { language: 'python', source: 'import time\ntime.sleep(4)\nprint("done")\n', tests: [{ expectedStdout: 'done' }] };

describe('Docker goes away and comes back', () => {
  it('a request in flight gets a retryable error, and the service recovers by itself', async () => {
    const proxy = new DockerProxy();
    await proxy.start();
    const instanceId = `fault-${randomUUID().slice(0, 8)}`;
    const config = { ...parseConfig({ LOG_LEVEL: 'silent', DOCKER_HOST: proxy.dockerHost }, { cpuCount: 2, randomId: instanceId }), instanceId };
    const app = await buildApp({ config, engine: new DockerEngine({ dockerHost: proxy.dockerHost }) });
    await app.ready();
    // The app first, while Docker is still reachable through the proxy, so it can remove what it
    // could not while the proxy was cut; then the proxy.
    after(async () => {
      await app.close();
      await proxy.close();
    });

    const inFlight = app.inject({ method: 'POST', url: '/v1/submissions', payload: slowProgram });
    await until('the submission runs', () => app.judge.stats().running === 1, { intervalMs: 100 });
    await sleep(1000);
    await proxy.cut();
    const res = await inFlight;
    assert.equal(res.statusCode, 503, res.body);
    const body = res.json<{ code: string; retryable: boolean }>();
    assert.equal(body.retryable, true);
    assert.match(body.code, /^VERDICT_(DOCKER_UNAVAILABLE|SANDBOX_FAILED)$/);
    assert.match((await app.inject('/readyz')).json<{ docker: string }>().docker, /VERDICT_DOCKER_UNAVAILABLE/);

    await proxy.start();
    const again = await app.inject({ method: 'POST', url: '/v1/submissions', payload: { language: 'python', source: 'print(2 + 2)', tests: [{ expectedStdout: '4' }] } });
    assert.equal(again.statusCode, 200, again.body);
    assert.equal(again.json<{ verdict: string }>().verdict, 'accepted');
    assert.equal((await app.inject('/readyz')).json<{ docker: string }>().docker, 'ok');
    // The container Docker could not remove while away is removed once it is back.
    // What is left is the warm pool's, nothing more.
    await until('the orphaned sandbox is removed', async () => {
      await app.judge.settle();
      return (await realEngine.countManaged({ [LABEL_INSTANCE]: instanceId })) === app.judge.stats().pool.idle;
    }, { intervalMs: 100 });
  });
});

describe('the service is killed', () => {
  it('the next start with the same instance id removes what the killed one left', async () => {
    const instanceId = `killed-${randomUUID().slice(0, 8)}`;
    const port = await freePort();
    const start = (): ChildProcess =>
      spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
        cwd: repoRoot,
        // No warm pool: the test counts the one sandbox of the request in flight.
        env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', VERDICT_INSTANCE_ID: instanceId, VERDICT_POOL_MAX_IDLE: '0' },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
    const ready = () =>
      until('the service listens (after its start-up sweep)', async () => (await request(`http://127.0.0.1:${port}/healthz`)).statusCode === 200, { timeoutMs: 60_000, intervalMs: 100 });

    const first = start();
    after(() => first.kill('SIGKILL'));
    await ready();
    void request(`http://127.0.0.1:${port}/v1/submissions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(slowProgram) }).catch(() => undefined);
    await until('its sandbox runs', async () => (await realEngine.countManaged({ [LABEL_INSTANCE]: instanceId })) === 1, { intervalMs: 100 });
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    assert.equal(await realEngine.countManaged({ [LABEL_INSTANCE]: instanceId }), 1, 'a SIGKILLed service cannot clean up');

    const second = start();
    after(() => second.kill('SIGKILL'));
    await ready();
    assert.equal(await realEngine.countManaged({ [LABEL_INSTANCE]: instanceId }), 0);
    second.kill('SIGTERM');
    const code = await new Promise((resolve) => second.once('exit', resolve));
    assert.equal(code, 0, 'SIGTERM drains and exits 0');
  });
});
