/**
 * The hostile corpus (test/hostile/cases/*.ts) against the real service: every
 * attack gets its verdict, within its deadline, while an innocent submission
 * judged at the same time is still accepted.
 *
 * Cases of a category run two at a time in a `before` hook, so that the
 * per-test check of startTestApp (no container of this instance left) holds
 * between the `it`s, which then assert on what was recorded.
 * HOSTILE_FILTER=<regex> runs only the cases whose category or name matches.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { submissionResultSchema, type SubmissionResult } from '../../src/schemas.js';
import { cases as compile } from '../hostile/cases/compile.js';
import { cases as information } from '../hostile/cases/information.js';
import { cases as network } from '../hostile/cases/network.js';
import { cases as output } from '../hostile/cases/output.js';
import { cases as processes } from '../hostile/cases/processes.js';
import { cases as resources } from '../hostile/cases/resources.js';
import { cases as runtime } from '../hostile/cases/runtime.js';
import { cases as time } from '../hostile/cases/time.js';
import type { Category, HostileCase, SubmissionBody } from '../hostile/cases/types.js';
import { startTestApp } from '../helpers/app.js';

const CASES_AT_ONCE = 2;
const SLACK_MS = 20_000;

// Two cases, the innocent submission beside each, and at times a companion: all judged at once.
const t = await startTestApp({ VERDICT_CONCURRENCY: '4' });

const tables: Array<[Category, HostileCase[]]> = [
  ['resources', resources],
  ['time', time],
  ['output', output],
  ['processes', processes],
  ['information', information],
  ['network', network],
  ['compile', compile],
  ['runtime', runtime],
];

const filter = process.env.HOSTILE_FILTER ? new RegExp(process.env.HOSTILE_FILTER, 'i') : undefined;

const built = new Set(
  (await t.app.inject('/v1/languages')).json<{ languages: Array<{ id: string; imageId: string | null }> }>().languages.filter((l) => l.imageId).map((l) => l.id),
);

const innocent = {
  language: 'python',
  source: 'a, b = map(int, input().split())\nprint(a + b)\n',
  tests: [
    { id: 'small', stdin: '2 3\n', expectedStdout: '5\n' },
    { id: 'big', stdin: '40 2\n', expectedStdout: '42\n' },
  ],
};

interface Outcome {
  result?: SubmissionResult;
  error?: unknown;
  elapsedMs: number;
  answeredAt: number;
  innocent?: SubmissionResult;
  innocentError?: unknown;
  companion?: SubmissionResult;
  companionAnsweredAt?: number;
  companionError?: unknown;
}

function bodyOf(c: HostileCase | SubmissionBody): Record<string, unknown> {
  return {
    language: c.language,
    ...(c.files ? { files: c.files } : { source: c.source }),
    ...(c.tests ? { tests: c.tests } : {}),
    ...(c.limits ? { limits: c.limits } : {}),
    ...(c.checker ? { checker: c.checker } : {}),
  };
}

/** compileTimeMs × 2 + runs × wallTimeMs + slack, from the limits the service resolved. */
function deadlineMs(limits: { compileTimeMs: number; wallTimeMs: number }, runs: number): number {
  return limits.compileTimeMs * 2 + Math.max(1, runs) * limits.wallTimeMs + SLACK_MS;
}

/** The same bound before the answer, from the request and the service's defaults: how long to wait at most. */
function waitBoundMs(c: HostileCase): number {
  const timeMs = c.limits?.timeMs ?? 2000;
  const wallTimeMs = c.limits?.wallTimeMs ?? Math.max(5000, 2 * timeMs + 1000);
  return deadlineMs({ compileTimeMs: c.limits?.compileTimeMs ?? 15_000, wallTimeMs }, c.tests?.length ?? 1) + 30_000;
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function runCase(c: HostileCase): Promise<Outcome> {
  const outcome: Outcome = { elapsedMs: 0, answeredAt: 0 };
  const bound = waitBoundMs(c);
  let companionDone: Promise<void> = Promise.resolve();
  if (c.companion) {
    const companion = c.companion;
    companionDone = within(t.submit(bodyOf(companion.body)), bound + 30_000, 'companion').then(
      (r) => {
        outcome.companion = r;
        outcome.companionAnsweredAt = Date.now();
      },
      (err: unknown) => {
        outcome.companionError = err;
      },
    );
    await new Promise((resolve) => setTimeout(resolve, companion.leadMs));
  }
  const innocentDone = within(t.submit(innocent), bound, 'innocent submission').then(
    (r) => {
      outcome.innocent = r;
    },
    (err: unknown) => {
      outcome.innocentError = err;
    },
  );
  const started = performance.now();
  try {
    outcome.result = await within(t.submit(bodyOf(c)), bound, c.name);
  } catch (err) {
    outcome.error = err;
  }
  outcome.elapsedMs = performance.now() - started;
  outcome.answeredAt = Date.now();
  await Promise.all([innocentDone, companionDone]);
  return outcome;
}

/** Run `work` over `items`, `n` at a time. */
async function pool<T>(items: readonly T[], n: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

function describeResult(r: SubmissionResult): string {
  const compile = r.compile ? `compile ${r.compile.status} (exit ${r.compile.exitCode}, ${r.compile.signal}, ${r.compile.cpuTimeMs} ms CPU, ${r.compile.wallTimeMs} ms wall): ${r.compile.output.slice(0, 300)}\n` : '';
  const tests = r.tests
    .map(
      (x) =>
        `  ${x.id}: ${x.verdict} exit=${x.exitCode} signal=${x.signal} cpu=${x.cpuTimeMs}ms wall=${x.wallTimeMs}ms peak=${x.peakMemoryBytes} ` +
        `stdout=${JSON.stringify(x.stdout.slice(0, 300))} stderr=${JSON.stringify(x.stderr.slice(0, 300))}`,
    )
    .join('\n');
  return `verdict ${r.verdict}\n${compile}${tests}`;
}

for (const [category, table] of tables) {
  describe(category, () => {
    const selected = table.filter((c) => !filter || filter.test(c.name) || filter.test(c.category));
    const runnable = selected.filter((c) => built.has(c.language));
    const outcomes = new Map<HostileCase, Outcome>();

    before(async () => {
      await pool(runnable, CASES_AT_ONCE, async (c) => {
        outcomes.set(c, await runCase(c));
      });
    });

    for (const c of selected) {
      it(`${c.name} → ${[c.expect].flat().join(' | ')}`, { skip: built.has(c.language) ? false : `the ${c.language} sandbox image is not built` }, () => {
        assert.equal(c.category, category, 'the case is in the table of its category');
        assert.ok(!Array.isArray(c.expect) || (c.expect.length > 1 && c.why), 'a list of verdicts says why');
        const o = outcomes.get(c)!;
        if (o.error) {
          const beside = o.innocent ? `the innocent submission beside it: ${o.innocent.verdict}` : `the innocent submission failed too: ${String(o.innocentError)}`;
          throw new Error(`${(o.error as Error).message}\n${beside}`, { cause: o.error });
        }
        const r = o.result!;
        // Whatever bytes the program wrote, the answer is a valid response.
        submissionResultSchema.parse(r);
        const expected = [c.expect].flat();
        assert.ok(expected.includes(r.verdict), `expected ${expected.join(' or ')}, got ${describeResult(r)}`);
        const deadline = deadlineMs(r.manifest.limits, r.tests.length);
        assert.ok(o.elapsedMs <= deadline, `answered after ${Math.round(o.elapsedMs)} ms, deadline ${deadline} ms`);
        if (o.innocentError) throw o.innocentError;
        assert.equal(o.innocent!.verdict, 'accepted', `the innocent submission beside it: ${describeResult(o.innocent!)}`);
        if (c.companion) {
          if (o.companionError) throw o.companionError;
          assert.ok(o.companion, 'the companion answered');
        }
        try {
          c.check?.(r, { answeredAt: o.answeredAt, ...(o.companion ? { companion: o.companion, companionAnsweredAt: o.companionAnsweredAt! } : {}) });
        } catch (err) {
          throw new Error(`${(err as Error).message}\n${describeResult(r)}`, { cause: err });
        }
      });
    }
  });
}
