import { PassThrough } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { BadRequestError } from '../errors.js';
import type { BatchItem } from '../judge/judge.js';
import { normalizeSubmission } from '../judge/normalize.js';
import { batchJsonResponseSchema, batchRequestSchema, errorSchema, programSchema, type BatchLine, type BatchRequest } from '../schemas.js';
import { clientGone } from './client.js';

const NDJSON = 'application/x-ndjson';

/**
 * problem + item → one submission per item, every one checked before any
 * runs: a batch with a malformed item is a 400 naming that item, not a
 * half-judged batch.
 */
function itemsOf(body: BatchRequest, settings: Parameters<typeof normalizeSubmission>[1]): BatchItem[] {
  const ids = new Set<string>();
  return body.items.map((raw, index) => {
    const { id, ...own } = raw;
    if (ids.has(id)) throw new BadRequestError('VERDICT_INVALID_REQUEST', `items.${index}.id: ${JSON.stringify(id)} appears twice`);
    ids.add(id);
    // An item that gives its program as files must not inherit the problem's one-file source, and vice versa.
    const inherited = { ...body.problem };
    if (own.files !== undefined || own.source !== undefined) {
      delete inherited.files;
      delete inherited.source;
    }
    const parsed = programSchema.safeParse({ ...inherited, ...own });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new BadRequestError('VERDICT_INVALID_REQUEST', `items.${index}${issue.path.map((p) => `.${String(p)}`).join('')}: ${issue.message}`);
    }
    try {
      return { id, submission: normalizeSubmission(parsed.data, settings) };
    } catch (err) {
      if (err instanceof BadRequestError) throw new BadRequestError(err.code, `items.${index}.${err.message}`, err.details);
      throw err;
    }
  });
}

function wantsJson(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.includes('application/json') && !accept.includes(NDJSON);
}

export const batchRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/v1/batch',
    {
      schema: {
        tags: ['judge'],
        summary: 'Judge many programs: one problem × N candidates, or independent submissions',
        description:
          'Each item is problem + item (item fields win). Answers as NDJSON (application/x-ndjson, the default): one line per item as soon as it is judged, in completion order, then one summary line. With "Accept: application/json" the same lines come as one JSON document in request order (the schema below). ' +
          'An item whose judging failed in Verdict or Docker gets status "error" (retry it); past deadlineMs the rest get status "not_run". The whole batch is admitted or refused (429 with Retry-After) at once. Closing the connection cancels the batch.',
        body: batchRequestSchema,
        response: { 200: batchJsonResponseSchema, 400: errorSchema, 413: errorSchema, 429: errorSchema, 503: errorSchema },
      },
    },
    async (request, reply) => {
      const body = request.body;
      if (body.items.length > app.config.maxBatchItems) {
        throw new BadRequestError('VERDICT_INVALID_REQUEST', `items: ${body.items.length} items given, at most ${app.config.maxBatchItems} are accepted`);
      }
      const items = itemsOf(body, app.config);
      // Admission before the first byte: once the stream starts, the status is 200.
      app.judge.admit(items.length);
      const options = { priority: body.priority ?? 'online', cache: body.cache ?? true, deadlineMs: body.deadlineMs, signal: clientGone(reply) } as const;

      if (wantsJson(request.headers.accept)) {
        const lines: BatchLine[] = [];
        const summary = await app.judge.batch(items, options, (line) => lines.push(line));
        lines.sort((a, b) => a.index - b.index);
        return { items: lines, summary };
      }

      const stream = new PassThrough();
      const write = (value: unknown) => {
        if (!stream.destroyed) stream.write(`${JSON.stringify(value)}\n`);
      };
      app.judge.batch(items, options, write).then(
        (summary) => {
          write(summary);
          stream.end();
        },
        (err: unknown) => {
          request.log.error({ err }, 'batch failed after its answer started');
          stream.destroy(err instanceof Error ? err : new Error(String(err)));
        },
      );
      // Fastify pipes a stream as it is; the typed body (the JSON variant) does not describe it.
      return reply
        .header('content-type', NDJSON)
        .header('cache-control', 'no-store')
        .send(stream as never);
    },
  );
};
