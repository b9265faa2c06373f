/**
 * docker-compose.yml as a Docker Swarm stack on a single-node swarm: the
 * replicas, update policy and health checks it declares, and a rolling update
 * under load that loses no request. This machine's kernel has no IPVS, which
 * Swarm's routing mesh needs, so the balancer's port is published in host mode
 * (deploy/swarm-host-port.yml), as on any such host.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { containers, docker, inRotation, logsOf, postWithRetry, run, slowDouble, waitReady, type Outcome } from '../helpers/cluster.js';
import { freePort, until } from '../helpers/wait.js';

const stack = `vswarm${randomUUID().slice(0, 6)}`;
const service = `${stack}_verdict`;

describe('Swarm stack', { timeout: 1_800_000 }, () => {
  let joinedSwarm = false;
  let baseUrl = '';
  let env: NodeJS.ProcessEnv = {};
  /** Every replica container the stack ran, for the leak check at the end. */
  const seen = new Set<string>();

  const tasks = async (): Promise<string[]> => {
    const ids = (await docker('ps', '-q', '--no-trunc', '--filter', `label=com.docker.swarm.service.name=${service}`)).stdout;
    const list = ids ? ids.split('\n') : [];
    for (const id of list) seen.add(id);
    return list;
  };



  before(async () => {
    const state = (await docker('info', '--format', '{{.Swarm.LocalNodeState}}')).stdout;
    if (state === 'inactive') {
      await docker('swarm', 'init', '--advertise-addr', '127.0.0.1');
      joinedSwarm = true;
    }
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    env = { ...process.env, VERDICT_PORT: String(port), VERDICT_CONCURRENCY: '1', LOG_LEVEL: 'warn' };
    await run('docker', ['stack', 'deploy', '-c', 'docker-compose.yml', '-c', 'deploy/swarm-host-port.yml', stack], { env });
    try {
      await waitReady(baseUrl, 900_000);
      await until('both replicas in rotation', async () => (await inRotation(baseUrl)).size === 2, { timeoutMs: 180_000, intervalMs: 500 });
    } catch (err) {
      const logs = await Promise.all((await tasks()).map(async (id) => `--- ${id.slice(0, 12)}\n${await logsOf(id, '30')}`));
      throw new Error(`${(err as Error).message}\n${(await docker('service', 'ps', '--no-trunc', service)).stdout}\n${logs.join('\n')}`);
    }
    await tasks();
  });

  after(async () => {
    await docker('stack', 'rm', stack).catch(() => undefined);
    await until('the stack is gone', async () => (await containers([`com.docker.stack.namespace=${stack}`])).length === 0, { timeoutMs: 120_000, intervalMs: 500 }).catch(() => undefined);
    for (const id of seen) {
      const left = await containers(['verdict.managed=true', `verdict.instance=${id.slice(0, 12)}`]).catch(() => []);
      if (left.length > 0) await docker('rm', '-f', ...left).catch(() => undefined);
    }
    if (joinedSwarm) {
      await docker('swarm', 'leave', '--force').catch(() => undefined);
      // Made by `swarm init`, not by the stack; it would outlive the swarm.
      await docker('network', 'rm', 'docker_gwbridge').catch(() => undefined);
    }
  });

  it('deploys the replicas, rolling update policy and health checks the file declares', async () => {
    const [spec] = JSON.parse((await docker('service', 'inspect', service)).stdout) as Array<{
      Spec: {
        Mode: { Replicated?: { Replicas: number } };
        UpdateConfig: { Parallelism: number; Order: string; FailureAction: string };
        EndpointSpec: { Mode: string };
        TaskTemplate: { ContainerSpec: { Healthcheck?: { Test: string[] }; StopGracePeriod: number; Mounts: Array<{ Source: string; Target: string }> } };
      };
    }>;
    assert.equal(spec!.Spec.Mode.Replicated?.Replicas, 2);
    assert.deepEqual([spec!.Spec.UpdateConfig.Parallelism, spec!.Spec.UpdateConfig.Order, spec!.Spec.UpdateConfig.FailureAction], [1, 'stop-first', 'rollback']);
    assert.equal(spec!.Spec.EndpointSpec.Mode, 'dnsrr', 'the balancer sees each replica');
    assert.match(spec!.Spec.TaskTemplate.ContainerSpec.Healthcheck?.Test.join(' ') ?? '', /\/readyz/);
    assert.equal(spec!.Spec.TaskTemplate.ContainerSpec.StopGracePeriod, 45e9);
    assert.ok(spec!.Spec.TaskTemplate.ContainerSpec.Mounts.some((m) => m.Target === '/var/run/docker.sock'));
  });

  it('a rolling update under load loses no request, and every old replica drains, exits 0 and leaves nothing', async (t) => {
    const before = await tasks();
    assert.equal(before.length, 2);
    let stop = false;
    const outcomes: Array<{ n: number; outcome: Outcome }> = [];
    let next = 0;
    const worker = async () => {
      while (!stop) {
        const n = next++;
        outcomes.push({ n, outcome: await postWithRetry(`${baseUrl}/v1/submissions`, slowDouble(0.5, n)) });
      }
    };
    const workers = Promise.all([worker(), worker(), worker()]);
    try {
      await run('docker', ['service', 'update', '--force', '--detach=false', service], { timeoutMs: 900_000 });
    } finally {
      stop = true;
      await workers;
    }

    assert.ok(outcomes.length >= 10, `load ran through the update (${outcomes.length} requests)`);
    for (const { n, outcome } of outcomes) {
      assert.equal(outcome.reply.status, 200, `request ${n}: ${outcome.reply.status} ${outcome.reply.body.slice(0, 300)} after ${outcome.earlier.join('; ')}`);
      const result = JSON.parse(outcome.reply.body) as { verdict: string; tests: Array<{ stdout: string }> };
      assert.equal(result.verdict, 'accepted');
      assert.equal(result.tests[0]?.stdout, `${n * 2}\n`);
    }

    t.diagnostic(`${outcomes.length} requests during the update, ${outcomes.filter((o) => o.outcome.earlier.length > 0).length} retried by the client`);
    const now = await tasks();
    assert.equal(now.filter((id) => before.includes(id)).length, 0, 'every replica was replaced');
    await until('the new replicas in rotation', async () => {
      const rotation = await inRotation(baseUrl);
      return rotation.size === 2 && now.every((id) => rotation.has(id.slice(0, 12)));
    }, { timeoutMs: 120_000, intervalMs: 500 });
    for (const id of before) {
      const state = (await docker('inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', id)).stdout;
      assert.equal(state, 'exited 0', `${id.slice(0, 12)} drained and exited 0: ${await logsOf(id, '20')}`);
      assert.deepEqual(await containers(['verdict.managed=true', `verdict.instance=${id.slice(0, 12)}`]), [], 'its sandboxes are gone');
    }
  });
});
