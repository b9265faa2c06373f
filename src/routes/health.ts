import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { VerdictError } from '../errors.js';

const readySchema = z.object({
  ready: z.boolean(),
  docker: z.string().describe('"ok" or why Docker is unusable'),
  missingImages: z.array(z.string()),
  saturated: z.boolean().describe('The queue is full: new work gets 429 here, so a load balancer should send it elsewhere'),
  running: z.number().int(),
  queued: z.number().int(),
  waitingRequests: z.number().int(),
  concurrency: z.number().int(),
  queueLimit: z.number().int(),
  warmSandboxes: z.number().int(),
});

export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/healthz',
    { schema: { tags: ['meta'], summary: 'Liveness: the process answers', response: { 200: z.object({ status: z.literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['meta'],
        summary: 'Readiness: Docker reachable, every sandbox image built, and room in the queue',
        response: { 200: readySchema, 503: readySchema },
      },
    },
    async (_request, reply) => {
      let docker = 'ok';
      try {
        await app.engine.ping();
        if (app.catalog.missing().length > 0) {
          await app.catalog.refresh((lang, image, argv) => app.judge.probe(lang, image, argv));
        }
      } catch (err) {
        docker = err instanceof VerdictError ? `${err.code}: ${err.message}` : String(err);
      }
      const missingImages = app.catalog.missing();
      const stats = app.judge.stats();
      const ready = docker === 'ok' && missingImages.length === 0 && !stats.saturated;
      return reply.status(ready ? 200 : 503).send({
        ready,
        docker,
        missingImages,
        saturated: stats.saturated,
        running: stats.running,
        queued: stats.queued,
        waitingRequests: stats.waitingRequests,
        concurrency: stats.concurrency,
        queueLimit: stats.queueLimit,
        warmSandboxes: stats.pool.idle,
      });
    },
  );

  app.get('/metrics', { schema: { tags: ['meta'], summary: 'Prometheus metrics', hide: false } }, async (_request, reply) => {
    const body = await app.metrics.registry.metrics();
    return reply.header('content-type', app.metrics.registry.contentType).send(body);
  });
};
