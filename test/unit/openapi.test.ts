import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { it } from 'node:test';
import { generateOpenApi, OPENAPI_PATH } from '../../src/openapi.js';

it('openapi/openapi.json matches what the code generates (npm run openapi regenerates it)', async () => {
  const committed = await readFile(OPENAPI_PATH, 'utf8');
  assert.equal(committed, await generateOpenApi());
});

it('documents every route with its request and answers', async () => {
  const doc = JSON.parse(await generateOpenApi()) as { paths: Record<string, Record<string, { responses: Record<string, unknown>; requestBody?: unknown }>> };
  for (const path of ['/v1/submissions', '/v1/batch', '/v1/reward', '/v1/label', '/v1/languages', '/healthz', '/readyz', '/metrics']) assert.ok(doc.paths[path], path);
  for (const path of ['/v1/submissions', '/v1/batch', '/v1/reward', '/v1/label']) {
    const post = doc.paths[path]!.post!;
    assert.ok(post.requestBody, path);
    // /v1/submissions alone may be refused for a deadline it cannot meet (X-Verdict-Deadline-Ms).
    const refusals = path === '/v1/submissions' ? ['503', '504'] : ['503'];
    assert.deepEqual(Object.keys(post.responses).sort(), ['200', '400', '413', '429', ...refusals], path);
  }
});

it('shows every object of a native request body as strict (additionalProperties: false)', async () => {
  const doc = JSON.parse(await generateOpenApi()) as { paths: Record<string, { post?: { requestBody?: unknown } }> };
  const lenient: string[] = [];
  let strict = 0;
  // Iterative walk; a record (free-form kwargs, tags, problems by name) has a schema as additionalProperties, not properties.
  const pending: Array<{ at: string; node: unknown }> = [];
  for (const path of ['/v1/submissions', '/v1/batch', '/v1/reward', '/v1/label']) pending.push({ at: path, node: doc.paths[path]!.post!.requestBody });
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { at, node } = next;
    if (node === null || typeof node !== 'object') continue;
    const schema = node as Record<string, unknown>;
    if (schema.properties !== undefined) {
      if (schema.additionalProperties === false) strict += 1;
      else lenient.push(at);
    }
    for (const [key, child] of Object.entries(schema)) pending.push({ at: `${at}/${key}`, node: child });
  }
  assert.deepEqual(lenient, []);
  assert.ok(strict > 20, `${strict} strict objects`);
});
