/**
 * On real Docker: a request whose keys the native API does not know is refused, never judged
 * with them dropped (a test without its expected output passes whenever the program exits 0),
 * and the drop-in APIs still run what their clients send.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startTestApp } from '../helpers/app.js';

const t = await startTestApp();

async function post(url: string, payload: unknown) {
  const res = await t.app.inject({ method: 'POST', url, payload: payload as Record<string, unknown> });
  return { status: res.statusCode, body: res.json<{ message: string; status?: string; run?: { stdout: string } }>() };
}

describe('unknown keys on real Docker', () => {
  it('a test written {"input", "output"} is a 400, not print(0) accepted', async () => {
    const { status, body } = await post('/v1/submissions', { language: 'python', source: 'print(0)\n', tests: [{ input: '1 2\n', output: '3\n' }] });
    assert.equal(status, 400, JSON.stringify(body));
    assert.equal(body.message, 'tests.0.input: unknown key; the input is "stdin"; tests.0.output: unknown key; the expected output is "expectedStdout"');
    // The same test spelt Verdict's way fails the wrong program.
    const judged = await t.submit({ language: 'python', source: 'print(0)\n', tests: [{ stdin: '1 2\n', expectedStdout: '3\n' }] });
    assert.equal(judged.verdict, 'wrong_answer');
  });

  it('a float checker with a misspelt tolerance is a 400, not judged with the default one', async () => {
    const { status, body } = await post('/v1/submissions', {
      language: 'python',
      source: 'print(1.05)\n',
      tests: [{ expectedStdout: '1.0\n' }],
      checker: { mode: 'float', tolerance: 0.1 },
    });
    assert.equal(status, 400, JSON.stringify(body));
    assert.equal(body.message, 'checker.tolerance: unknown key; the absolute tolerance is "absTolerance"');
  });

  it('a file with an "encoding" is a 400, not its base64 run as the program', async () => {
    const { status, body } = await post('/v1/submissions', {
      language: 'python',
      files: [{ path: 'main.py', content: Buffer.from('print(3)\n').toString('base64'), encoding: 'base64' }],
      tests: [{ expectedStdout: '3\n' }],
    });
    assert.equal(status, 400, JSON.stringify(body));
    assert.match(body.message, /^files\.0\.encoding: unknown key; "content" is UTF-8 text/);
  });

  it('SandboxFusion\'s /run_code and Piston\'s /api/v2/execute still run requests carrying keys they do not know', async () => {
    const fusion = await post('/run_code', { code: 'print(7)', language: 'python', expected_output: '8', unknown: true });
    assert.equal(fusion.status, 200, JSON.stringify(fusion.body));
    assert.equal(fusion.body.status, 'Success');
    const piston = await post('/api/v2/execute', { language: 'python', version: '*', files: [{ content: 'print(7)', lang: 'py' }], expected_output: '8' });
    assert.equal(piston.status, 200, JSON.stringify(piston.body));
    assert.equal(piston.body.run?.stdout, '7\n');
  });
});
