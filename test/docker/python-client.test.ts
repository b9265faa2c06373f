/** The Python client and its reward functions, run by the host's python3 against a live service. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { startTestApp } from '../helpers/app.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
// Debian's interpreter when there is one (what a trainer's image has), not a version manager's shim.
const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

describe('python client', async () => {
  const t = await startTestApp({ VERDICT_CONCURRENCY: '2' });

  it('passes its unit tests against the real service (submit, batch, verl and TRL rewards, retries)', async () => {
    const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const run = await new Promise<{ status: number | null; output: string }>((resolve) => {
        // Async: the service answers the client's requests from this same process.
        const child = spawn(python, ['-m', 'unittest', 'discover', '-s', 'tests', '-v'], {
          cwd: path.join(repoRoot, 'clients/python'),
          env: { ...process.env, VERDICT_URL: address, PYTHONDONTWRITEBYTECODE: '1' },
        });
        let output = '';
        child.stdout.on('data', (d: Buffer) => (output += d.toString()));
        child.stderr.on('data', (d: Buffer) => (output += d.toString()));
        child.on('close', (status) => resolve({ status, output }));
      });
      assert.equal(run.status, 0, run.output);
      assert.match(run.output, /Ran \d+ tests/);
    } finally {
      await t.app.server.close();
    }
  });
});
