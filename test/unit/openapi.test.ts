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
