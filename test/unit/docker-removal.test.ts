/**
 * Container removal against a fake Docker API on a unix socket: what the
 * engine does when Docker refuses, which a real engine does only under load.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { DockerEngine } from '../../src/sandbox/docker-engine.js';

/** Answers each DELETE with the next status of `statuses`, then 204. */
async function fakeDocker(statuses: number[]): Promise<{ engine: DockerEngine; deletes: () => number; close: () => Promise<void> }> {
  const socketPath = path.join(os.tmpdir(), `verdict-fake-docker-${randomUUID().slice(0, 8)}.sock`);
  let deletes = 0;
  const server = http.createServer((req, res) => {
    if (req.method !== 'DELETE') return res.writeHead(404).end('{}');
    const status = statuses[deletes++] ?? 204;
    res.writeHead(status, { 'content-type': 'application/json' }).end(status === 204 ? '' : JSON.stringify({ message: `refused with ${status}` }));
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    engine: new DockerEngine({ dockerHost: `unix://${socketPath}` }),
    deletes: () => deletes,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(socketPath, { force: true });
    },
  };
}

describe('container removal', () => {
  it('asks again after a 409 or a 500 and resolves only once Docker removed it', async () => {
    const fake = await fakeDocker([500, 409, 500]);
    after(fake.close);
    await fake.engine.removeContainer('abc');
    assert.equal(fake.deletes(), 4);
    assert.equal(await fake.engine.removeOrphans(), 0, 'nothing left for the orphan timer');
  });

  it('takes a 404 as gone', async () => {
    const fake = await fakeDocker([404]);
    after(fake.close);
    await fake.engine.removeContainer('abc');
    assert.equal(fake.deletes(), 1);
    assert.equal(await fake.engine.removeOrphans(), 0);
  });

  it('leaves a container to the orphan timer at once when Docker does not answer', async () => {
    const away = new DockerEngine({ dockerHost: `unix://${path.join(os.tmpdir(), `verdict-no-docker-${randomUUID().slice(0, 8)}.sock`)}` });
    await away.removeContainer('abc');
    assert.equal(await away.removeOrphans(), 1, 'still owed');
  });
});
