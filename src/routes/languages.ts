import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { languagesResponseSchema } from '../schemas.js';

export const languageRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/v1/languages',
    {
      schema: {
        tags: ['meta'],
        summary: 'Supported languages, their toolchains and commands',
        response: { 200: languagesResponseSchema },
      },
    },
    async () => ({ languages: app.catalog.describe() }),
  );
};
