import { PassThrough } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { Priority } from '../domain/vocabulary.js';
import { BadRequestError } from '../errors.js';
import type { Submission } from '../judge/submission.js';
import { normalizeSubmission, normalizeTests, type TestSet } from '../judge/normalize.js';
import { programSchema, type ProgramRequest } from '../schemas.js';
import { clientGone } from './client.js';

type Settings = Parameters<typeof normalizeSubmission>[1];

/** What many programs of one request inherit: the fields, and the tests converted once for all of them. */
export interface SharedProgram {
  fields: Partial<Omit<ProgramRequest, 'tests'>>;
  tests: TestSet | undefined;
}

/** Prepared once per problem; its tests' errors are named under `where` (`problem.tests.3.id: …`), if any. */
export function sharedProgram(problem: Partial<ProgramRequest> | undefined, where: string | undefined, settings: Settings): SharedProgram {
  const { tests, ...fields } = problem ?? {};
  return { fields, tests: tests === undefined ? undefined : named(where, () => normalizeTests(tests, settings)) };
}

/** A 400 raised by `fn`, its field prefixed with `where`. */
function named<T>(where: string | undefined, fn: () => T): T {
  if (where === undefined) return fn();
  try {
    return fn();
  } catch (err) {
    if (err instanceof BadRequestError) throw new BadRequestError(err.code, `${where}.${err.message}`, err.details);
    throw err;
  }
}

/**
 * A shared problem plus one item's own fields → one submission, with errors
 * named by the item's place in the request (`items.3.language: …`). Inherited
 * tests are the problem's own array, never a copy; tests of the item's own win.
 */
export function itemSubmission(shared: SharedProgram | undefined, own: Partial<ProgramRequest>, where: string, settings: Settings): Submission {
  // An item that gives its program as files must not inherit the problem's one-file source, and vice versa.
  const inherited = { ...shared?.fields };
  if (own.files !== undefined || own.source !== undefined) {
    delete inherited.files;
    delete inherited.source;
  }
  const inheritsTests = own.tests === undefined && shared?.tests !== undefined;
  // Inherited tests were validated with the problem; parsing them again per item would cost items × tests.
  const parsed = programSchema.safeParse({ ...inherited, ...own });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BadRequestError('VERDICT_INVALID_REQUEST', `${where}${issue.path.map((p) => `.${String(p)}`).join('')}: ${issue.message}`);
  }
  return named(where, () => normalizeSubmission(parsed.data, settings, inheritsTests ? shared.tests : undefined));
}

/** Many-item requests are bounded by the server's batch size (and so always fit the queue). */
export function checkItemCount(count: number, field: string, max: number): void {
  if (count > max) throw new BadRequestError('VERDICT_INVALID_REQUEST', `${field}: ${count} given, at most ${max} are accepted`);
}

/**
 * A JSON answer is assembled whole before it is sent, so what it holds is bounded by the number of
 * test results it will carry (outputs are bounded apart, by the response budget): 10,000 items
 * sharing a problem's 1,000 tests would be ten million results from a small body. NDJSON, the
 * default, streams them instead and holds only the lines in flight.
 */
export function checkJsonAnswerTests(items: ReadonlyArray<{ submission: { tests: readonly unknown[] } }>, field: string, max: number): void {
  let tests = 0;
  for (const item of items) tests += Math.max(1, item.submission.tests.length);
  if (tests > max) {
    throw new BadRequestError(
      'VERDICT_INVALID_REQUEST',
      `${field}: ${tests} test results in all, a JSON answer holds at most ${max}; ask for NDJSON (Accept: ${NDJSON}, the default) or split the request`,
    );
  }
}

/**
 * How a many-item request is judged: its class, its cache choice, its deadline (every one has
 * one: the server's default unless it asks for less or more, up to the maximum), and
 * cancellation when the client goes.
 */
export function judgeOptions(
  body: { priority?: Priority | undefined; cache?: boolean | undefined; deadlineMs?: number | undefined },
  reply: FastifyReply,
  defaultPriority: Priority,
  settings: Pick<Config, 'defaultDeadlineMs' | 'maxDeadlineMs'>,
) {
  if (body.deadlineMs !== undefined && body.deadlineMs > settings.maxDeadlineMs) {
    throw new BadRequestError('VERDICT_INVALID_REQUEST', `deadlineMs: ${body.deadlineMs} exceeds the server maximum ${settings.maxDeadlineMs}`);
  }
  return {
    priority: body.priority ?? defaultPriority,
    cache: body.cache ?? true,
    deadlineMs: body.deadlineMs ?? settings.defaultDeadlineMs,
    signal: clientGone(reply),
  };
}

/** Client ids must tell the answer's lines apart. */
export function checkUniqueIds(items: ReadonlyArray<{ id: string }>): void {
  const ids = new Set<string>();
  items.forEach(({ id }, index) => {
    if (ids.has(id)) throw new BadRequestError('VERDICT_INVALID_REQUEST', `items.${index}.id: ${JSON.stringify(id)} appears twice`);
    ids.add(id);
  });
}

export const NDJSON = 'application/x-ndjson';

/** NDJSON unless the client asks for plain JSON and not NDJSON. */
export function wantsJson(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.includes('application/json') && !accept.includes(NDJSON);
}

/**
 * Answer a many-item request: as NDJSON, each line written the moment `run`
 * emits it and the summary last; or, when the client asked for JSON, one
 * document with the lines in request order. `ready` resolves when the client
 * has taken what was written (at once for JSON): `run` queues no more work
 * before, so a client that stops reading stops its batch, and the service
 * holds what is in flight rather than the whole answer.
 */
export async function answerLines<L extends { index: number }, S>(
  request: FastifyRequest,
  reply: FastifyReply,
  run: (emit: (line: L) => void, ready: () => Promise<void>) => Promise<S>,
): Promise<{ items: L[]; summary: S } | FastifyReply> {
  if (wantsJson(request.headers.accept)) {
    const lines: L[] = [];
    const summary = await run((line) => lines.push(line), () => Promise.resolve());
    lines.sort((a, b) => a.index - b.index);
    return { items: lines, summary };
  }
  const stream = new PassThrough();
  const write = (value: unknown) => {
    if (!stream.destroyed) stream.write(`${JSON.stringify(value)}\n`);
  };
  // Past its high-water mark the stream waits for the socket, which waits for the client.
  const ready = () =>
    !stream.writableNeedDrain || stream.destroyed
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const done = () => {
            stream.off('drain', done);
            stream.off('close', done);
            resolve();
          };
          stream.on('drain', done);
          stream.on('close', done);
        });
  run(write, ready).then(
    (summary) => {
      write(summary);
      stream.end();
    },
    (err: unknown) => {
      request.log.error({ err }, 'a streamed answer failed after it started');
      stream.destroy(err instanceof Error ? err : new Error(String(err)));
    },
  );
  // Fastify pipes a stream as it is; the typed body (the JSON variant) does not describe it.
  return reply
    .header('content-type', NDJSON)
    .header('cache-control', 'no-store')
    .send(stream as never);
}
