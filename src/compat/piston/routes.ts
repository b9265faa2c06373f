/**
 * A Piston-compatible front (engineer-man/piston, API v2): `GET /api/v2/runtimes` and
 * `POST /api/v2/execute`, so tools written for Piston can run their programs here.
 * Errors are the service's own (src/app.ts's handler): Verdict's `code`, `message`, `retryable`.
 *
 * What differs from Piston (also in the route descriptions, hence in /docs):
 * - `output` is stdout followed by stderr: Verdict captures the two streams apart, so
 *   their interleaving is not known. A compile stage's diagnostics come as one stream
 *   (Verdict captures the compiler's stdout and stderr together): they are in `stderr`
 *   and `output`, and `stdout` is empty.
 * - The first file is the entry, as in Piston, but it is written under the language's
 *   own entry name (main.py, main.cpp, Main.java or the public class's name, …), so its
 *   given `name` is not used; further files keep theirs.
 * - Limits are Verdict's: an absent, zero or negative (-1) timeout or memory limit is
 *   Verdict's default (not "no limit"), and a value above Verdict's maximum is lowered
 *   to it. `run_timeout` is the wall-clock limit and, without `run_cpu_time`, the CPU
 *   limit too; `compile_timeout` (or `compile_cpu_time`) is the compile CPU limit.
 * - A Python or JavaScript syntax error is reported from Verdict's syntax check: the run
 *   stage has code 1 and the checker's one-line message in stderr, not the interpreter's.
 * - Every request runs the program (no result cache). The output limit is Verdict's maximum
 *   (VERDICT_MAX_OUTPUT_BYTES), not Piston's configured one, and stdout and stderr come back
 *   whole up to it: open-r1 compares stdout itself.
 * - A failure of Verdict or Docker is a 503, a full queue a 429 with Retry-After (never
 *   status "XX"); error bodies carry Verdict's `code` and `retryable` besides `message`.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { BadRequestError } from '../../errors.js';
import { errorSchema } from '../../schemas.js';
import { DEADLINE_HEADER, deadlineFromHeader } from '../../routes/client.js';
import { rawRunOptions } from '../run.js';
import { findPistonLanguage } from './names.js';
import { pistonExecuteRequestSchema, pistonExecuteResponseSchema, pistonRuntimesResponseSchema } from './schema.js';
import { pistonRuntimes, pistonSubmission, semverOf, toPistonResponse, versionMatches } from './translate.js';

export const pistonRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/v2/runtimes',
    {
      schema: {
        tags: ['meta'],
        summary: 'Piston-compatible: the installed runtimes',
        description:
          'As Piston\'s GET /api/v2/runtimes: each language whose sandbox image is built, with its Piston name, the toolchain\'s version as SemVer, and the aliases accepted by POST /api/v2/execute (Piston\'s and Verdict\'s).',
        response: { 200: pistonRuntimesResponseSchema },
      },
    },
    async () => pistonRuntimes(app.catalog.describe()),
  );

  app.post(
    '/api/v2/execute',
    {
      schema: {
        tags: ['judge'],
        summary: 'Piston-compatible: run one program once',
        description:
          `As Piston\'s POST /api/v2/execute: compiles (for compiled languages) and runs the first file with stdin and args, and answers the compile and run stages. Differences: "output" is stdout followed by stderr (interleaving is not recorded); compiler diagnostics are in "stderr"; the first file is written under the language\'s entry name; absent or negative limits are Verdict\'s defaults and limits above Verdict\'s maximum are lowered to it; 429 when the queue is full and 503 when Verdict or Docker failed (retryable, with Retry-After); with the header ${DEADLINE_HEADER}: <ms>, 504 with Retry-After at once when the expected wait plus the run\'s limits cannot fit in it.`,
        body: pistonExecuteRequestSchema,
        response: { 200: pistonExecuteResponseSchema, 400: errorSchema, 413: errorSchema, 429: errorSchema, 503: errorSchema, 504: errorSchema },
      },
    },
    async (request, reply) => {
      const req = request.body;
      const lang = findPistonLanguage(req.language);
      if (!lang) throw new BadRequestError('VERDICT_UNKNOWN_LANGUAGE', `${req.language}-${req.version} runtime is unknown`);
      const toolchain = app.catalog.describe().find((d) => d.id === lang.id)?.version ?? null;
      const version = toolchain === null ? null : semverOf(toolchain);
      // Without a built image the version is unknown; the judge answers 503 for it below.
      if (version !== null && !versionMatches(req.version, version)) {
        throw new BadRequestError('VERDICT_UNKNOWN_LANGUAGE', `${req.language}-${req.version} runtime is unknown`);
      }
      const submission = pistonSubmission(req, lang, app.config);
      const result = await app.judge.submit(submission, rawRunOptions(reply, deadlineFromHeader(request)));
      return toPistonResponse(result, lang, version, submission.limits.outputBytes);
    },
  );
};
