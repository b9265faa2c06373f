/**
 * Builds the service from explicit dependencies; never listens (server.ts does).
 * Tests call buildApp() and use inject().
 */
import fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from './config.js';
import { answerClientError, createBoundedServer } from './http/connections.js';
import { ShuttingDownError } from './errors.js';
import { errorHandler } from './http/error-handler.js';
import { ImageCatalog } from './images/images.js';
import { Judge } from './judge/judge.js';
import { LanguageCatalog } from './languages/catalog.js';
import { findLanguage } from './languages/registry.js';
import { Metrics } from './metrics.js';
import { batchRoutes } from './routes/batch.js';
import { healthRoutes } from './routes/health.js';
import { pistonRoutes } from './compat/piston/routes.js';
import { labelRoutes } from './routes/label.js';
import { sandboxFusionRoutes } from './compat/sandboxfusion/routes.js';
import { rewardRoutes } from './routes/reward.js';
import { languageRoutes } from './routes/languages.js';
import { submissionRoutes } from './routes/submissions.js';
import { LABEL_INSTANCE, type ContainerEngine } from './sandbox/docker-engine.js';

export interface AppDependencies {
  config: Config;
  engine: ContainerEngine;
  logger?: boolean | FastifyBaseLogger | Record<string, unknown>;
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    engine: ContainerEngine;
    judge: Judge;
    catalog: LanguageCatalog;
    metrics: Metrics;
  }
}

export const API_VERSION = '0.1.0';

export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const { config, engine } = deps;
  let judge: Judge | undefined;
  const metrics = new Metrics(() => judge!.stats());
  const app = fastify({
    logger: deps.logger ?? { level: config.logLevel },
    bodyLimit: config.bodyLimitBytes,
    // Draining is ours (below): a 503 with a stable code and Retry-After.
    return503OnClosing: false,
    // The onReady hook below waits on Docker; Fastify's own 10 s is too short for a busy engine.
    pluginTimeout: config.startupTimeoutMs,
    forceCloseConnections: false,
    // Connection bounds (timeouts, caps) live with the server itself: src/http/connections.ts.
    serverFactory: (handler) =>
      createBoundedServer(
        {
          headersTimeoutMs: config.headersTimeoutMs,
          requestTimeoutMs: config.requestTimeoutMs,
          sendTimeoutMs: config.sendTimeoutMs,
          maxConnectionsPerAddress: config.maxConnectionsPerAddress,
          onClose: (reason) => metrics.connectionsClosed.inc({ reason }),
        },
        handler,
      ),
    clientErrorHandler: answerClientError,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const catalog = new LanguageCatalog(new ImageCatalog(engine, { baseImage: config.baseImage }));
  judge = new Judge(engine, catalog, config, metrics);
  app.decorate('config', config);
  app.decorate('engine', engine);
  app.decorate('judge', judge);
  app.decorate('catalog', catalog);
  app.decorate('metrics', metrics);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Verdict',
        description: 'Judges untrusted programs against test cases in throwaway Docker sandboxes.',
        version: API_VERSION,
      },
      tags: [
        { name: 'judge', description: 'Submit programs' },
        { name: 'meta', description: 'Languages, health, metrics' },
      ],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.setErrorHandler(errorHandler({ bodyLimitBytes: config.bodyLimitBytes, metrics }));

  // While closing, new requests get 503 and in-flight ones finish: what a load balancer needs to drain us.
  let draining = false;
  app.addHook('preClose', async () => {
    draining = true;
  });
  app.addHook('onRequest', async (request) => {
    if (draining && request.url !== '/healthz') throw new ShuttingDownError('this instance is shutting down; retry on another');
  });

  // Which replica answered: behind a load balancer, what an operator needs to find its logs.
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('x-verdict-instance', config.instanceId);
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ method: request.method, route, status_code: String(reply.statusCode) });
    metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  await app.register(submissionRoutes);
  await app.register(batchRoutes);
  await app.register(rewardRoutes);
  await app.register(labelRoutes);
  await app.register(sandboxFusionRoutes);
  await app.register(languageRoutes);
  await app.register(pistonRoutes);
  await app.register(healthRoutes);

  app.addHook('onReady', async () => {
    // Containers a crashed predecessor with this instance id left behind.
    try {
      const swept = await engine.sweep({ [LABEL_INSTANCE]: config.instanceId });
      if (swept > 0) app.log.warn({ swept }, 'removed sandbox containers left by an earlier run');
      await catalog.refresh((lang, image, argv) => judge!.probe(lang, image, argv));
    } catch (err) {
      // Not fatal: /readyz reports it and the service recovers once Docker is back.
      app.log.error({ err }, 'Docker is not usable at start');
    }
    const missing = catalog.missing();
    if (missing.length > 0) app.log.warn({ missing }, 'sandbox images missing; run npm run images');
    for (const id of config.poolPrewarm) judge!.prewarm(findLanguage(id)!, config.defaultLimits);
    if (config.parentContainer && config.reapIntervalMs > 0) {
      await reap();
      reaper = setInterval(() => void reap(), config.reapIntervalMs).unref();
    }
  });

  // A replica killed and then recreated or rescheduled never sweeps its own sandboxes (its
  // successor has another instance id), so every replica in a container removes those of
  // replicas whose container no longer runs.
  let reaper: NodeJS.Timeout | undefined;
  const reap = async (): Promise<void> => {
    try {
      const reaped = await engine.reapOrphanedParents(config.parentContainer);
      if (reaped > 0) app.log.warn({ reaped }, 'removed sandbox containers of a replica that is gone');
    } catch (err) {
      app.log.warn({ err }, 'could not look for sandboxes of gone replicas');
    }
  };

  app.addHook('onClose', async () => {
    clearInterval(reaper);
    await judge!.drain();
    try {
      await engine.removeOrphans();
      await engine.sweep({ [LABEL_INSTANCE]: config.instanceId });
    } catch (err) {
      app.log.error({ err }, 'could not sweep sandbox containers on close');
    }
  });

  return app;
}
