/**
 * The containerised service (deploy/, docker-compose.yml): build the image with
 * deploy/build-service-image.sh, run it the way docker-compose.yml does (plain
 * `docker run`, so docker-compose is not required), judge one program through
 * the published port, and stop it with SIGTERM: exit 0, no sandbox left.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { parse } from 'yaml';
import { docker, logsOf, request, run } from '../helpers/cluster.js';

const COMPOSE_FILE = fileURLToPath(new URL('../../docker-compose.yml', import.meta.url));
const IMAGE = 'verdict/service:local';

/** Exit status of a command, without throwing: for "is this tool here" probes. */
async function succeeds(file: string, args: readonly string[]): Promise<boolean> {
  try {
    await run(file, args, { timeoutMs: 20_000 });
    return true;
  } catch {
    return false;
  }
}

async function managedContainers(instanceId: string): Promise<string[]> {
  const { stdout } = await docker('ps', '-aq', '--filter', 'label=verdict.managed=true', '--filter', `label=verdict.instance=${instanceId}`);
  return stdout ? stdout.split('\n') : [];
}

describe('docker-compose.yml', () => {
  it('puts replicas with the Docker socket behind a balancer on loopback, with restart policies, drain time and health checks', async () => {
    const file = parse(await readFile(COMPOSE_FILE, 'utf8')) as {
      services: Record<string, { image: string; volumes?: string[]; ports?: string[]; environment?: Record<string, string>; restart?: string; stop_grace_period?: string; healthcheck?: { test: string[] }; deploy?: { replicas?: unknown; endpoint_mode?: string; update_config?: { order?: string; parallelism?: number } } }>;
    };
    const { verdict, lb } = file.services;
    assert.ok(verdict && lb, 'a verdict service and a balancer');
    assert.match(verdict.image, /verdict\/service:local/);
    assert.deepEqual(verdict.volumes, ['/var/run/docker.sock:/var/run/docker.sock']);
    assert.equal(verdict.ports, undefined, 'replicas are reached through the balancer only');
    assert.equal(verdict.environment?.VERDICT_INSTANCE_ID, undefined, 'each replica takes its own hostname as instance id');
    assert.equal(verdict.environment?.VERDICT_PRUNE_STALE_IMAGES, 'false', 'replicas of an older version may share the engine');
    assert.equal(verdict.restart, 'unless-stopped');
    assert.ok(Number(verdict.stop_grace_period?.replace(/s$/, '')) * 1000 > Number(verdict.environment?.VERDICT_SHUTDOWN_GRACE_MS), 'the drain ends before SIGKILL');
    assert.match(verdict.healthcheck?.test.join(' ') ?? '', /\/readyz/);
    assert.equal(verdict.deploy?.replicas, '${VERDICT_REPLICAS:-2}');
    assert.equal(verdict.deploy?.endpoint_mode, 'dnsrr', 'the balancer must see each replica');
    assert.deepEqual([verdict.deploy?.update_config?.order, verdict.deploy?.update_config?.parallelism], ['stop-first', 1]);
    assert.match(lb.image, /verdict\/lb:local/);
    assert.deepEqual(lb.ports, ['127.0.0.1:${VERDICT_PORT:-8080}:8080']);
    assert.equal(lb.volumes, undefined, 'the socket goes to the replicas only');
  });

  it('is valid for whichever compose is installed (docker compose v2, docker-compose v1)', async (t) => {
    const tools: Array<[string, string[]]> = [];
    if (await succeeds('docker', ['compose', 'version'])) tools.push(['docker', ['compose']]);
    if (await succeeds('docker-compose', ['version'])) tools.push(['docker-compose', []]);
    if (tools.length === 0) {
      t.skip('neither docker compose nor docker-compose is installed');
      return;
    }
    for (const [file, prefix] of tools) {
      await run(file, [...prefix, '-f', COMPOSE_FILE, 'config', '-q']);
    }
  });
});

describe('the service container', { timeout: 1_800_000 }, () => {
  const instanceId = `compose-test-${randomUUID().slice(0, 8)}`;
  const name = `verdict-${instanceId}`;
  let built = false;
  let baseUrl = '';
  let ready = false;

  after(async () => {
    await docker('rm', '-f', name).catch(() => undefined);
    const left = await managedContainers(instanceId).catch(() => []);
    if (left.length > 0) await docker('rm', '-f', ...left).catch(() => undefined);
  });

  it('builds with deploy/build-service-image.sh, without a docker CLI inside', { timeout: 600_000 }, async () => {
    const { stdout } = await run('bash', ['deploy/build-service-image.sh'], { timeoutMs: 600_000 });
    assert.equal(stdout.split('\n').at(-1), IMAGE, 'the script prints the tag last');
    const inspected = JSON.parse((await docker('image', 'inspect', IMAGE)).stdout) as Array<{
      Config: { Healthcheck?: { Test?: string[] }; Env?: string[]; User?: string };
    }>;
    const config = inspected[0]!.Config;
    assert.match(config.Healthcheck?.Test?.join(' ') ?? '', /\/healthz/);
    assert.ok(config.Env?.includes('HOST=0.0.0.0') && config.Env.includes('PORT=8080'), `env: ${config.Env?.join(' ')}`);
    const probe = await docker('run', '--rm', '--network', 'none', '--entrypoint', 'sh', IMAGE, '-c',
      'command -v docker >/dev/null && echo has-docker; node --version; test -f /app/dist/src/server.js && echo has-server; test -d /app/node_modules/typescript && echo has-typescript; test -f /app/sandbox-images/base/Dockerfile && echo has-sandbox-images; true');
    assert.doesNotMatch(probe.stdout, /has-docker/, 'no docker CLI in the image');
    assert.doesNotMatch(probe.stdout, /has-typescript/, 'production dependencies only');
    assert.match(probe.stdout, /has-server/);
    assert.match(probe.stdout, /has-sandbox-images/);
    const [major, minor] = probe.stdout.match(/v(\d+)\.(\d+)\./)!.slice(1).map(Number) as [number, number];
    assert.ok(major > 20 || (major === 20 && minor >= 18), `node ${major}.${minor} >= 20.18`);
    built = true;
  });

  it('builds or finds the sandbox images, then answers /readyz with 200', { timeout: 1_000_000 }, async (t) => {
    if (!built) return t.skip('the image did not build');
    // What docker-compose.yml's `verdict` service amounts to, with a port Docker picks.
    await docker('run', '-d', '--name', name,
      '-v', '/var/run/docker.sock:/var/run/docker.sock',
      '-p', '127.0.0.1::8080',
      '-e', `VERDICT_INSTANCE_ID=${instanceId}`,
      '-e', 'VERDICT_SHUTDOWN_GRACE_MS=30000',
      '--stop-timeout', '45',
      IMAGE);
    const published = (await docker('port', name, '8080/tcp')).stdout.split('\n')[0]!;
    assert.match(published, /^127\.0\.0\.1:\d+$/);
    baseUrl = `http://${published}`;

    // 120 s for the server to get ready; more only while the entrypoint is
    // still building sandbox images (minutes, where the host has none built).
    const started = Date.now();
    const deadline = started + 120_000;
    const buildDeadline = started + 900_000;
    let last = '';
    for (;;) {
      const state = (await docker('inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', name)).stdout;
      if (!state.startsWith('running')) assert.fail(`the container stopped (${state}):\n${await logsOf(name)}`);
      try {
        const res = await request(`${baseUrl}/readyz`, { timeoutMs: 5_000 });
        last = `${res.status} ${res.body}`;
        if (res.status === 200) {
          ready = true;
          break;
        }
      } catch (err) {
        last = (err as Error).message;
      }
      if (Date.now() > deadline) {
        const building = !/^images: ready in/m.test(await logsOf(name, 'all'));
        if (!building || Date.now() > buildDeadline) {
          assert.fail(`not ready within ${Math.round((Date.now() - started) / 1000)} s (last: ${last}):\n${await logsOf(name)}`);
        }
      }
      await new Promise((r) => setTimeout(r, 500));
    }

    // The image's liveness check and compose's readiness check, as Docker would run them.
    const image = JSON.parse((await docker('image', 'inspect', '-f', '{{json .Config.Healthcheck.Test}}', IMAGE)).stdout) as string[];
    assert.equal(image[0], 'CMD');
    await docker('exec', name, ...image.slice(1));
    const composeTest = (await readFile(COMPOSE_FILE, 'utf8')).match(/^\s+test:\s*(\[.*\])\s*$/m);
    assert.ok(composeTest, 'the compose healthcheck is a one-line exec array');
    const composeCheck = JSON.parse(composeTest[1]!) as string[];
    assert.equal(composeCheck[0], 'CMD');
    await docker('exec', name, ...composeCheck.slice(1));
  });

  it('judges a Python submission through the published port', { timeout: 60_000 }, async (t) => {
    if (!ready) return t.skip('the service never got ready');
    const { status, body } = await request(`${baseUrl}/v1/submissions`, {
      method: 'POST',
      body: { language: 'python', source: 'print(int(input())*2)', tests: [{ stdin: '21', expectedStdout: '42' }] },
      timeoutMs: 50_000,
    });
    assert.equal(status, 200, body);
    const result = JSON.parse(body) as { verdict: string; tests: Array<{ stdout: string }> };
    assert.equal(result.verdict, 'accepted', body);
    assert.equal(result.tests[0]?.stdout, '42\n');
  });

  it('stops on SIGTERM with exit 0 and leaves no sandbox container', { timeout: 90_000 }, async (t) => {
    if (!ready) return t.skip('the service never got ready');
    await run('docker', ['stop', '--time', '45', name], { timeoutMs: 80_000 });
    const state = (await docker('inspect', '-f', '{{.State.Status}} {{.State.ExitCode}} {{.State.OOMKilled}}', name)).stdout;
    assert.equal(state, 'exited 0 false', await logsOf(name));
    assert.match(await logsOf(name), /draining/);
    assert.deepEqual(await managedContainers(instanceId), []);
    await docker('rm', name);
  });
});
