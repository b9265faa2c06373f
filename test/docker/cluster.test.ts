/**
 * The compose deployment end to end, and what goes wrong in production:
 * docker-compose.yml (replicas behind the HAProxy balancer) plus, from
 * test/fixtures/cluster/second-host.yml, a replica whose sandboxes run on a
 * second Docker engine, so that engine can be restarted under that replica
 * alone. One replica per sandbox host, as an RL cluster runs it.
 *
 * Every request goes through the balancer on loopback and is retried the way
 * a well-behaved client retries (retryable refusals, lost connections); each
 * must end with the right verdict, and nothing may be left on either engine.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  containers,
  docker,
  inRotation,
  isRetryable,
  logsOf,
  postWithRetry,
  request,
  run,
  slowDouble,
  waitReady,
  type Reply,
} from '../helpers/cluster.js';
import { SecondEngine } from '../helpers/second-engine.js';
import { freePort, until } from '../helpers/wait.js';

const project = `vcluster${randomUUID().slice(0, 6)}`;
const engine2 = new SecondEngine();

describe('compose deployment: replicas behind the balancer, under failures', { timeout: 2_400_000 }, () => {
  let compose: string[] = [];
  let env: NodeJS.ProcessEnv = {};
  let baseUrl = '';
  const replicas = { a: '', b: '' };
  const instances = { a: '', b: '' };

  const composeRun = (...args: string[]) =>
    run(compose[0]!, [...compose.slice(1), '-f', 'docker-compose.yml', '-f', 'test/fixtures/cluster/second-host.yml', '-p', project, ...args], { env, timeoutMs: 600_000 });



  async function diagnostics(): Promise<string> {
    const parts = [];
    for (const id of [replicas.a, replicas.b]) if (id) parts.push(`--- ${id.slice(0, 12)}\n${await logsOf(id, '30')}`);
    const lb = (await composeRun('ps', '-q', 'lb').catch(() => ({ stdout: '' }))).stdout;
    if (lb) parts.push(`--- balancer\n${await logsOf(lb, '30')}`);
    return parts.join('\n');
  }

  before(async () => {
    compose = (await run('bash', ['scripts/ensure-compose.sh'])).stdout.split(' ');
    await engine2.start();
    await engine2.loadSandboxImages();
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    env = {
      ...process.env,
      VERDICT_PORT: String(port),
      VERDICT_REPLICAS: '1',
      VERDICT_CONCURRENCY: '1',
      VERDICT_QUEUE_LIMIT: '4',
      VERDICT_ENGINE2_DIR: engine2.socketDir,
      LOG_LEVEL: 'warn',
    };
    // The one command the README gives, with this test's overlay and project name.
    await run('bash', ['deploy/up.sh', '-f', 'test/fixtures/cluster/second-host.yml', '-p', project], { env, timeoutMs: 1_500_000 });
    replicas.a = (await composeRun('ps', '-q', 'verdict')).stdout;
    replicas.b = (await composeRun('ps', '-q', 'verdict-b')).stdout;
    // The instance id of a replica in compose is its hostname: the container id's first 12 characters.
    instances.a = replicas.a.slice(0, 12);
    instances.b = replicas.b.slice(0, 12);
    try {
      await waitReady(baseUrl, 900_000);
      await until('both replicas in rotation', async () => (await inRotation(baseUrl)).size === 2, { timeoutMs: 120_000, intervalMs: 500 });
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${await diagnostics()}`);
    }
  });

  after(async () => {
    if (compose.length > 0) await composeRun('down', '-t', '5').catch(() => undefined);
    for (const id of await containers(['verdict.managed=true'], engine2.host).catch(() => [])) await engine2.cli('rm', '-f', id).catch(() => undefined);
    for (const instance of [instances.a, instances.b]) {
      if (!instance) continue;
      const left = await containers(['verdict.managed=true', `verdict.instance=${instance}`]).catch(() => []);
      if (left.length > 0) await docker('rm', '-f', ...left).catch(() => undefined);
    }
    await engine2.dispose();
  });

  it('spreads concurrent streaming batches over the replicas', async () => {
    const batch = (tag: string) => ({
      problem: { language: 'python', source: 'import time\ntime.sleep(1)\nprint(int(input()) * 2)\n' },
      cache: false,
      items: [1, 2].map((n) => ({ id: `${tag}-${n}`, tests: [{ stdin: `${n}\n`, expectedStdout: `${n * 2}\n` }] })),
    });
    const replies = await Promise.all(['x', 'y'].map((tag) => request(`${baseUrl}/v1/batch`, { body: batch(tag) })));
    for (const reply of replies) {
      assert.equal(reply.status, 200, reply.body);
      assert.match(String(reply.headers['content-type']), /application\/x-ndjson/);
      const lines = reply.body.trim().split('\n').map((l) => JSON.parse(l) as { type: string; status?: string; result?: { verdict: string } });
      assert.deepEqual(lines.filter((l) => l.type === 'item').map((l) => [l.status, l.result?.verdict]), [['ok', 'accepted'], ['ok', 'accepted']]);
    }
    assert.deepEqual(new Set(replies.map((r) => r.headers['x-verdict-instance'])), new Set([instances.a, instances.b]), 'one batch on each replica');
  });

  it('passes 429 with Retry-After through when every queue is full, and serves each refused request on retry', async () => {
    // Two replicas, each one running and four queued: 24 at once overflow both.
    const first = await Promise.all(Array.from({ length: 24 }, (_, i) => request(`${baseUrl}/v1/submissions`, { body: slowDouble(1.5, i) })));
    const refused = first.map((reply, i) => ({ reply, i })).filter(({ reply }) => reply.status !== 200);
    assert.ok(refused.length > 0, 'some requests are refused');
    for (const { reply } of refused) {
      assert.ok(isRetryable(reply), `a retryable refusal, got ${reply.status}: ${reply.body}`);
      assert.ok(Number(reply.headers['retry-after']) >= 1, `Retry-After on a ${reply.status}: ${String(reply.headers['retry-after'])}`);
    }
    assert.ok(refused.some(({ reply }) => reply.status === 429), `the replicas' own 429s reach the client: ${refused.map(({ reply }) => reply.status).join(',')}`);
    for (const [i, reply] of first.entries()) if (reply.status === 200) assertDoubled(reply, i);
    const retried = await Promise.all(refused.map(({ i }) => postWithRetry(`${baseUrl}/v1/submissions`, slowDouble(1.5, i))));
    for (const [k, { reply }] of retried.entries()) assertDoubled(reply, refused[k]!.i);
  });

  it('a replica killed mid-load: every request ends with its verdict, the replica restarts and removes what it left', async (t) => {
    const load = Promise.all(Array.from({ length: 8 }, (_, i) => postWithRetry(`${baseUrl}/v1/submissions`, slowDouble(1, 100 + i))));
    const leftBehind = await until('sandboxes of replica a at work', async () => {
      const ids = await containers(['verdict.managed=true', `verdict.instance=${instances.a}`]);
      return ids.length > 0 ? ids : undefined;
    }, { timeoutMs: 30_000, intervalMs: 500 });
    // A crash, not `docker kill` (which Docker counts as a manual stop and never restarts):
    // SIGKILL to the replica's process from the host.
    const pid = (await docker('inspect', '-f', '{{.State.Pid}}', replicas.a)).stdout;
    process.kill(Number(pid), 'SIGKILL');
    const killed = await load;
    for (const [i, outcome] of killed.entries()) assertDoubled(outcome.reply, 100 + i);
    t.diagnostic(`retried by the client: ${killed.filter((o) => o.earlier.length > 0).length} of ${killed.length}`);

    // restart: unless-stopped brings it back with the same hostname, hence the same instance id.
    await until('replica a back in rotation', async () => (await inRotation(baseUrl)).has(instances.a), { timeoutMs: 300_000, intervalMs: 500 });
    const stillThere = (await Promise.all(leftBehind.map(async (id) => ((await docker('ps', '-aq', '--no-trunc', '--filter', `id=${id}`)).stdout ? id : undefined)))).filter(Boolean);
    assert.deepEqual(stillThere, [], 'the killed replica swept its sandboxes when it came back');
    await assertServes([instances.a, instances.b]);
  });

  it('the Docker engine under one replica restarts: every request ends with its verdict, and the replica recovers', async (t) => {
    const load = Promise.all(Array.from({ length: 8 }, (_, i) => postWithRetry(`${baseUrl}/v1/submissions`, slowDouble(1, 200 + i))));
    await until('sandboxes on the second engine at work', async () => (await containers(['verdict.managed=true'], engine2.host)).length > 0, { timeoutMs: 30_000, intervalMs: 500 });
    await engine2.restart();
    const restarted = await load;
    for (const [i, outcome] of restarted.entries()) assertDoubled(outcome.reply, 200 + i);
    t.diagnostic(`retried by the client: ${restarted.filter((o) => o.earlier.length > 0).length} of ${restarted.length}`);
    await until('replica b back in rotation', async () => (await inRotation(baseUrl)).has(instances.b), { timeoutMs: 180_000, intervalMs: 500 });
    await assertServes([instances.a, instances.b]);
    // What the restart stopped is removed once the engine answers again (the orphan timer, the pool's trim).
    await until('no stopped sandbox left on the second engine', async () => (await containers(['verdict.managed=true'], engine2.host, 'exited').catch(() => ['?'])).length === 0, { timeoutMs: 120_000, intervalMs: 500 });
  });

  it('stops: each replica drains, exits 0 and leaves no sandbox on either engine', async () => {
    await composeRun('stop', '-t', '45');
    for (const id of [replicas.a, replicas.b]) {
      const state = (await docker('inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', id)).stdout;
      assert.equal(state, 'exited 0', `${id.slice(0, 12)}: ${await logsOf(id)}`);
    }
    assert.deepEqual(await containers(['verdict.managed=true', `verdict.instance=${instances.a}`]), []);
    assert.deepEqual(await containers(['verdict.managed=true', `verdict.parent=${replicas.a}`]), []);
    assert.deepEqual(await containers(['verdict.managed=true'], engine2.host), []);
  });

  function assertDoubled(reply: Reply, n: number): void {
    assert.equal(reply.status, 200, `${reply.status}: ${reply.body.slice(0, 500)}`);
    const result = JSON.parse(reply.body) as { verdict: string; tests: Array<{ stdout: string }> };
    assert.equal(result.verdict, 'accepted', reply.body.slice(0, 500));
    assert.equal(result.tests[0]?.stdout, `${n * 2}\n`);
  }

  /** Judges until every one of these replicas has answered with a verdict. */
  async function assertServes(wanted: string[]): Promise<void> {
    const served = new Set<string>();
    await until(`verdicts from ${wanted.join(', ')}`, async () => {
      const outcomes = await Promise.all([1, 2].map((n) => postWithRetry(`${baseUrl}/v1/submissions`, slowDouble(0.5, n))));
      for (const [k, { reply }] of outcomes.entries()) {
        assertDoubled(reply, k + 1);
        served.add(String(reply.headers['x-verdict-instance']));
      }
      return wanted.every((w) => served.has(w));
    }, { timeoutMs: 120_000, intervalMs: 500 });
  }
});
