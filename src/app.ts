/**
 * Builds the service from explicit dependencies; never listens (server.ts does).
 * Tests call buildApp() and use inject().
 */
import fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Config } from './config.js';
import { answerClientError, createBoundedServer } from './connections.js';
import { ShuttingDownError, VerdictError } from './errors.js';
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
import { unknownKeyIssues } from './unknown-keys.js';

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

/** Validation issues a 400 names; the rest are counted, so the answer stays small whatever the body. */
export const MAX_ISSUES_NAMED = 20;

export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const { config, engine } = deps;
  let judge: Judge | undefined;
  const metrics = new Metrics(() => judge!.stats());
  const app = fastify({
    logger: deps.logger ?? { level: config.logLevel },
    bodyLimit: config.bodyLimitBytes,
    // Draining is ours (below): a 503 with a stable code and Retry-After.
    return503OnClosing: false,
    forceCloseConnections: false,
    // Connection bounds (timeouts, caps) live with the server itself: src/connections.ts.
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

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof VerdictError) {
      if (error.statusCode >= 500) {
        metrics.errors.inc({ code: error.code });
        request.log.warn({ err: error, code: error.code }, 'request failed');
      }
      if (error.retryAfterSeconds !== undefined) void reply.header('retry-after', String(error.retryAfterSeconds));
      const details = 'details' in error ? error.details : undefined;
      return reply.status(error.statusCode).send({ code: error.code, message: error.message, retryable: error.retryable, ...(details ? { details } : {}) });
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const issues = error.validation.flatMap((v) => {
        const pointer = v.instancePath.replace(/^\//, '');
        const path = pointer === '' ? [] : pointer.split('/');
        // Each unknown key is its own issue, named by its full path and, where it is a known alias, the field meant.
        if (v.keyword === 'unrecognized_keys' && Array.isArray(v.params.keys)) return unknownKeyIssues(request.routeOptions.url, path, v.params.keys.map(String));
        return [{ path: path.join('.') || '(root)', message: v.message ?? 'invalid' }];
      });
      // A body of a million bad tests has a million issues: the answer names the first ones and counts the rest.
      const named = issues.slice(0, MAX_ISSUES_NAMED);
      const more = issues.length - named.length;
      return reply.status(400).send({
        code: 'VERDICT_INVALID_REQUEST',
        message: named.map((i) => `${i.path}: ${i.message}`).join('; ') + (more > 0 ? `; and ${more} more issues` : ''),
        retryable: false,
        details: { issues: named, ...(more > 0 ? { moreIssues: more } : {}) },
      });
    }
    const status = error.statusCode ?? 500;
    if (status === 413) {
      return reply.status(413).send({ code: 'VERDICT_BODY_TOO_LARGE', message: `the request body exceeds ${config.bodyLimitBytes} bytes`, retryable: false });
    }
    if (status >= 400 && status < 500) {
      return reply.status(status).send({ code: 'VERDICT_INVALID_REQUEST', message: error.message, retryable: false });
    }
    metrics.errors.inc({ code: 'VERDICT_INTERNAL' });
    request.log.error({ err: error }, 'unexpected failure');
    return reply.status(500).send({ code: 'VERDICT_INTERNAL', message: 'internal error', retryable: true });
  });

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
