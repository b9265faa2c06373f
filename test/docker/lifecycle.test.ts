/** Nothing lost, nothing leaked: sweep on boot, drain on close. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { buildApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { ImageCatalog } from '../../src/images/images.js';
import { DockerEngine, LABEL_INSTANCE, LABEL_MANAGED, LABEL_PARENT } from '../../src/sandbox/docker-engine.js';
import { docker } from '../helpers/cluster.js';

const engine = new DockerEngine({});

function config(instanceId: string) {
  return { ...parseConfig({ LOG_LEVEL: 'silent' }, { cpuCount: 2, randomId: instanceId }), instanceId };
}

describe('container lifecycle', () => {
  it('removes on start what a crashed run with the same instance id left behind', async () => {
    const instanceId = `crashed-${randomUUID().slice(0, 8)}`;
    const images = await new ImageCatalog(engine, { baseImage: 'debian:bookworm-slim' }).resolve(['python']);
    const tag = images?.get('python')?.tag;
    assert.ok(tag, 'the python image is built');
    // What a killed process leaves: running sandboxes with its label, never removed.
    for (let i = 0; i < 2; i++) {
      await engine.startSandbox({ image: tag, memoryBytes: 64 << 20, pids: 8, cpus: 1, boxBytes: 1 << 20, tmpBytes: 1 << 20, shmBytes: 1 << 20, inodes: 1024, candidateUid: 100_001, labels: { [LABEL_INSTANCE]: instanceId } });
    }
    assert.equal(await engine.countManaged({ [LABEL_INSTANCE]: instanceId }), 2);

    const app = await buildApp({ config: config(instanceId), engine });
    await app.ready();
    try {
      assert.equal(await engine.countManaged({ [LABEL_INSTANCE]: instanceId }), 0);
    } finally {
      await app.close();
    }
  });

  it('removes the sandboxes of a replica whose container is gone, not those of running replicas', async () => {
    const instanceId = `reap-${randomUUID().slice(0, 8)}`;
    const images = await new ImageCatalog(engine, { baseImage: 'debian:bookworm-slim' }).resolve(['python']);
    const tag = images!.get('python')!.tag;
    const sandbox = (labels: Record<string, string>) =>
      engine.startSandbox({ image: tag, memoryBytes: 64 << 20, pids: 8, cpus: 1, boxBytes: 1 << 20, tmpBytes: 1 << 20, shmBytes: 1 << 20, inodes: 1024, candidateUid: 100_001, labels: { [LABEL_INSTANCE]: instanceId, ...labels } });
    // Stand-ins for replica containers: one running, one stopped (killed, not restarted). The
    // stopped one is made with the docker CLI, as an operator would: the service never creates a
    // container it does not start, so the engine has no verb for it.
    const running = await sandbox({});
    const stopped = (await docker('create', '--label', `${LABEL_INSTANCE}=${instanceId}`, '--label', `${LABEL_MANAGED}=true`, '--entrypoint', 'true', tag)).stdout;
    const gone = 'f'.repeat(64);
    try {
      await sandbox({ [LABEL_PARENT]: running.id });
      await sandbox({ [LABEL_PARENT]: stopped });
      await sandbox({ [LABEL_PARENT]: gone });
      await sandbox({ [LABEL_PARENT]: gone });
      assert.equal(await engine.reapOrphanedParents(running.id), 3, 'those of the stopped and the missing parent');
      assert.equal(await engine.countManaged({ [LABEL_PARENT]: running.id }), 1);
      assert.equal(await engine.countManaged({ [LABEL_PARENT]: gone }), 0);
      assert.equal(await engine.reapOrphanedParents(undefined), 0, 'a running parent keeps its sandboxes whoever asks');
    } finally {
      await engine.sweep({ [LABEL_INSTANCE]: instanceId });
    }
  });

  it('on close, answers new requests with 503 and finishes in-flight ones, then leaves nothing', async () => {
    const instanceId = `drain-${randomUUID().slice(0, 8)}`;
    const app = await buildApp({ config: config(instanceId), engine });
    await app.ready();
    const inFlight = app.inject({
      method: 'POST',
      url: '/v1/submissions',
      payload: { language: 'python', source: 'import time\ntime.sleep(1.5)\nprint("done")\n', tests: [{ expectedStdout: 'done' }] },
    });
    // Let the submission reach its sandbox before closing.
    const deadline = Date.now() + 20_000;
    while (app.judge.stats().running === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(app.judge.stats().running, 1);

    const closing = app.close();
    const late = await app.inject({ method: 'POST', url: '/v1/submissions', payload: { language: 'python', source: 'print(1)' } });
    assert.equal(late.statusCode, 503);
    assert.equal(late.json<{ code: string }>().code, 'VERDICT_SHUTTING_DOWN');
    assert.ok(late.headers['retry-after']);

    const res = await inFlight;
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json<{ verdict: string }>().verdict, 'accepted');
    await closing;
    assert.equal(await engine.countManaged({ [LABEL_INSTANCE]: instanceId }), 0);
  });
});
