/**
 * POST /run_code: SandboxFusion's code-runner endpoint, as its clients (verl's
 * sandbox_fusion reward, the sandbox-fusion SDK) call it. One run of one
 * program, no expected output; the answer says how the compile and the run ended.
 *
 * What differs from SandboxFusion (the main points):
 * - overload, a wait that would outlast the client's own timeout (compile_timeout +
 *   run_timeout + 10 s) and Verdict/Docker failures answer HTTP 504 with Retry-After
 *   (verl retries only on 504), never a 200 "SandboxError";
 * - `fetch_files` is accepted and ignored: Verdict does not read files out of
 *   its sandboxes, so `files` in the answer is always {} (absent files are
 *   left out by SandboxFusion too);
 * - limits above the server's maximum are lowered to it instead of refused;
 * - TypeScript is type-checked (tsc) before it runs, where SandboxFusion's tsx
 *   only strips types: a type error is a failed run here;
 * - a memory or output limit is a run that Finished with return code -9, and `message`
 *   says which; the output limit is the server's maximum (SandboxFusion has none);
 * - memory_limit_MB -1 is Verdict's default memory limit, not none;
 * - every request runs the program (no result cache), as in SandboxFusion.
 */
import type { FastifyError } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { readFailure } from '../errors.js';
import { rawRunOptions } from '../run.js';
import { InvalidRunCode, runCodeRequestSchema, runCodeResponseSchema, validationErrorSchema } from './schema.js';
import { clientDeadlineMs, emptyResponse, runCodeSubmission, toRunCodeResponse } from './translate.js';

export const sandboxFusionRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/run_code',
    {
      schema: {
        tags: ['judge'],
        summary: 'Run one program (SandboxFusion-compatible)',
        description:
          "SandboxFusion's POST /run_code for its existing clients (verl's sandbox_fusion reward among them). One run, no expected output: \"Success\" when the compile (if any) and the run finished with exit status 0, \"Failed\" otherwise (compile error, non-zero exit, TimeLimitExceeded, a memory or output limit, shown as return code -9). The whole stdout and stderr come back, up to the server's output limit (the default here); past it the run is killed and the message says so. Requests are queued while they can be answered within the client's own timeout (compile_timeout + run_timeout + 10 s, as verl waits): when the expected wait plus the run's limits exceed it, when the queue is full, or when Verdict or Docker fail, the answer is at once HTTP 504 with Retry-After and a \"SandboxError\" body, since such clients retry only on 504. An unknown language or a malformed request is 422 with FastAPI's {detail: [...]}. fetch_files is ignored and files in the answer is always {}; timeouts and memory above the server maximum are lowered to it. Every request runs the program: the result cache is never used.",
        body: runCodeRequestSchema,
        response: { 200: runCodeResponseSchema, 422: validationErrorSchema, 500: runCodeResponseSchema, 504: runCodeResponseSchema },
      },
      // The service's failures in SandboxFusion's shapes: FastAPI's 422 for a request it refuses, a
      // "SandboxError" 504 (which verl retries) for a failure worth retrying, 500 for a bug.
      errorHandler: (error: FastifyError, request, reply) => {
        if (error instanceof InvalidRunCode) return reply.status(422).send({ detail: error.detail });
        const failure = readFailure(error, app.config.bodyLimitBytes);
        switch (failure.kind) {
          case 'schema': {
            const detail = failure.validation.map((v) => ({
              type: 'value_error',
              loc: ['body', ...v.instancePath.split('/').filter((s: string) => s !== '')],
              msg: v.message ?? 'invalid',
            }));
            return reply.status(422).send({ detail });
          }
          case 'verdict': {
            const { error: failed } = failure;
            if (failed.retryable) {
              if (failed.statusCode >= 500 && failed.statusCode !== 504) {
                app.metrics.errors.inc({ code: failed.code });
                request.log.warn({ err: failed, code: failed.code }, 'run_code failed');
              }
              void reply.header('retry-after', String(failed.retryAfterSeconds ?? 1));
              return reply.status(504).send(emptyResponse('SandboxError', `${failed.code}: ${failed.message}`));
            }
            if (failed.statusCode < 500) return reply.status(422).send({ detail: [{ type: 'value_error', loc: ['body'], msg: failed.message }] });
            break;
          }
          case 'client':
            return reply.status(422).send({ detail: [{ type: 'value_error', loc: ['body'], msg: failure.message }] });
          case 'internal':
            break;
        }
        app.metrics.errors.inc({ code: 'VERDICT_INTERNAL' });
        request.log.error({ err: error }, 'unexpected failure in run_code');
        return reply.status(500).send(emptyResponse('SandboxError', 'internal error'));
      },
    },
    async (request, reply) => {
      const submission = runCodeSubmission(request.body, app.config);
      // Through the scheduler like any submission, refused at once when it cannot answer within the client's own timeout.
      const result = await app.judge.submit(submission, rawRunOptions(reply, clientDeadlineMs(request.body)));
      return toRunCodeResponse(result, submission.language.id);
    },
  );
};
