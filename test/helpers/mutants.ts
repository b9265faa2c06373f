/**
 * Mechanical single-line mutants of HumanEvalPack's Python canonical solutions, and the checks
 * that POST /v1/label's answer for them agrees with independent POST /v1/submissions runs.
 * Shared by test/docker/label-humanevalpack.test.ts and bench/label-humanevalpack.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyEdit, lineCount, type Edit } from '../../src/label/edits.js';
import type { LabelResponse, SubmissionResult } from '../../src/schemas.js';

// ---------- data ----------

export interface PythonProblem {
  task_id: string;
  prompt: string;
  canonical_solution: string;
  test: string;
  entry_point: string;
}

/** As test/docker/humanevalpack.test.ts: VERDICT_HUMANEVALPACK_DIR, else ../shared beside the repository. */
export function humanEvalPackDir(repoRoot: string): string {
  return process.env.VERDICT_HUMANEVALPACK_DIR || path.resolve(repoRoot, '../shared/data/humanevalpack');
}

/** Every row of one language's file in the HumanEvalPack data; a missing file says how to get it. */
export function humanEvalPackRows<T>(lang: string): T[] {
  const dataDir = humanEvalPackDir(fileURLToPath(new URL('../../', import.meta.url)));
  const missing = missingData(dataDir, `${lang}.jsonl`);
  if (missing !== undefined) throw new Error(missing);
  return readFileSync(path.join(dataDir, `${lang}.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as T);
}

/** A message saying how to get the data when `file` (python.jsonl) is missing, else undefined. */
export function missingData(dataDir: string, name = 'python.jsonl'): string | undefined {
  const file = path.join(dataDir, name);
  if (existsSync(file)) return undefined;
  return (
    `HumanEvalPack data not found: missing ${file}. Put the data at ../shared/data/humanevalpack beside the repository, ` +
    'point VERDICT_HUMANEVALPACK_DIR at it, or set VERDICT_SKIP_HUMANEVALPACK=1 to skip this test.'
  );
}

export function loadPythonProblems(dataDir: string): PythonProblem[] {
  const file = path.join(dataDir, 'python.jsonl');
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      const row = JSON.parse(l) as Record<string, unknown>;
      for (const f of ['task_id', 'prompt', 'canonical_solution', 'test', 'entry_point']) {
        if (typeof row[f] !== 'string') throw new Error(`${file} line ${i + 1}: field ${f} is not a string`);
      }
      return row as unknown as PythonProblem;
    });
}

/** The reference program: prompt + canonical solution; `test` goes in as testCode. */
export function referenceOf(p: PythonProblem): string {
  return p.prompt + p.canonical_solution;
}

// ---------- mutants ----------

export type MutantKind = 'operator' | 'constant' | 'delete';
export const mutantKinds: readonly MutantKind[] = ['operator', 'constant', 'delete'];

export interface Mutant {
  /** `<reference line>:<kind>[:<column>]`, unique within a problem. */
  id: string;
  edit: { op: 'replace' | 'delete'; startLine: number; text?: string };
  tags: { line: number; kind: MutantKind; detail: string };
}

const KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(
    ' ',
  ),
);
// Longest first, so "<=" is never read as "<" then "=".
const OPERATORS = [
  '**=', '//=', '>>=', '<<=', '...', '->', ':=', '**', '//', '<=', '>=', '==', '!=', '<<', '>>', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '@=',
  '<', '>', '+', '-', '*', '/', '%', '&', '|', '^', '~', '@', '=', ':', ',', '.', ';', '(', ')', '[', ']', '{', '}',
];
const SWAPS: Record<string, string> = {
  '<': '<=', '<=': '<', '>': '>=', '>=': '>', '==': '!=', '!=': '==',
  '+': '-', '-': '+', '*': '//', '//': '*', '+=': '-=', '-=': '+=',
  and: 'or', or: 'and',
};
/** Arithmetic operators that are also unary or unpacking: swapped only where they are binary. */
const BINARY_ONLY = new Set(['+', '-', '*']);

interface Token {
  kind: 'name' | 'number' | 'string' | 'op';
  text: string;
  start: number;
}

/**
 * One line's tokens, enough to find operators and integer literals outside strings and
 * comments. `state.triple` carries an open triple-quoted string across lines.
 */
function tokenize(line: string, state: { triple: string | null }): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  if (state.triple) {
    const end = line.indexOf(state.triple);
    if (end < 0) return tokens;
    i = end + 3;
    state.triple = null;
  }
  while (i < line.length) {
    const c = line[i]!;
    if (c === '#') break;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const prev = tokens.at(-1);
      // A string prefix (f, rb, …) joins its string.
      const prefixed = prev !== undefined && prev.kind === 'name' && prev.start + prev.text.length === i && /^[rbuf]{1,2}$/i.test(prev.text);
      if (prefixed) tokens.pop();
      const start = prefixed ? prev.start : i;
      if (line.startsWith(c.repeat(3), i)) {
        const end = line.indexOf(c.repeat(3), i + 3);
        if (end < 0) {
          state.triple = c.repeat(3);
          tokens.push({ kind: 'string', text: line.slice(start), start });
          return tokens;
        }
        tokens.push({ kind: 'string', text: line.slice(start, end + 3), start });
        i = end + 3;
        continue;
      }
      let j = i + 1;
      while (j < line.length && line[j] !== c) j += line[j] === '\\' ? 2 : 1;
      tokens.push({ kind: 'string', text: line.slice(start, j + 1), start });
      i = j + 1;
      continue;
    }
    const name = /^[A-Za-z_]\w*/.exec(line.slice(i));
    if (name) {
      tokens.push({ kind: 'name', text: name[0], start: i });
      i += name[0].length;
      continue;
    }
    const number = /^(?:0[xXoObB][\da-fA-F_]+|(?:\d[\d_]*)?\.?\d[\d_]*(?:[eE][+-]?\d+)?[jJ]?|\d[\d_]*\.)/.exec(line.slice(i));
    if (number && /[\d.]/.test(c)) {
      tokens.push({ kind: 'number', text: number[0], start: i });
      i += number[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => line.startsWith(o, i));
    tokens.push({ kind: 'op', text: op ?? c, start: i });
    i += (op ?? c).length;
  }
  return tokens;
}

/** Whether the token before an operator ends an operand, so the operator is binary. */
function endsOperand(t: Token | undefined): boolean {
  if (!t) return false;
  if (t.kind === 'number' || t.kind === 'string') return true;
  if (t.kind === 'name') return !KEYWORDS.has(t.text) || t.text === 'True' || t.text === 'False' || t.text === 'None';
  return t.text === ')' || t.text === ']' || t.text === '}';
}

function lineCandidates(refLine: number, line: string, tokens: Token[]): Record<MutantKind, Mutant[]> {
  const out: Record<MutantKind, Mutant[]> = { operator: [], constant: [], delete: [] };
  const replace = (t: Token, to: string) => line.slice(0, t.start) + to + line.slice(t.start + t.text.length);
  tokens.forEach((t, k) => {
    const col = t.start + 1;
    if ((t.kind === 'op' || (t.kind === 'name' && (t.text === 'and' || t.text === 'or'))) && SWAPS[t.text] !== undefined) {
      if (BINARY_ONLY.has(t.text) && !endsOperand(tokens[k - 1])) return;
      const to = SWAPS[t.text]!;
      out.operator.push({
        id: `${refLine}:operator:${col}`,
        edit: { op: 'replace', startLine: refLine, text: replace(t, to) },
        tags: { line: refLine, kind: 'operator', detail: `${t.text} → ${to} at column ${col}` },
      });
    } else if (t.kind === 'number' && /^\d+$/.test(t.text)) {
      const to = String(BigInt(t.text) + 1n);
      out.constant.push({
        id: `${refLine}:constant:${col}`,
        edit: { op: 'replace', startLine: refLine, text: replace(t, to) },
        tags: { line: refLine, kind: 'constant', detail: `${t.text} → ${to} at column ${col}` },
      });
    }
  });
  out.delete.push({ id: `${refLine}:delete`, edit: { op: 'delete', startLine: refLine }, tags: { line: refLine, kind: 'delete', detail: 'line deleted' } });
  return out;
}

/**
 * Single-line mutants of the solution part of prompt + solution (reference line numbers),
 * deterministic, at most `cap`. Blank and comment lines are skipped. The cap is shared out over
 * the kinds in turn (operator, constant, delete; a kind with no candidates left passes its turn),
 * and each kind's share is taken evenly spaced from its candidates in line order.
 */
export function pythonMutants(prompt: string, solution: string, cap = 8): Mutant[] {
  const offset = lineCount(prompt);
  const lines = solution.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const state = { triple: null as string | null };
  const pools: Record<MutantKind, Mutant[]> = { operator: [], constant: [], delete: [] };
  lines.forEach((line, i) => {
    const inString = state.triple !== null;
    const tokens = tokenize(line, state);
    const trimmed = line.trim();
    if (inString || trimmed === '' || trimmed.startsWith('#')) return;
    const byKind = lineCandidates(offset + i + 1, line, tokens);
    for (const k of mutantKinds) pools[k].push(...byKind[k]);
  });
  const quota: Record<MutantKind, number> = { operator: 0, constant: 0, delete: 0 };
  for (let total = 0, progress = true; total < cap && progress; ) {
    progress = false;
    for (const k of mutantKinds) {
      if (total < cap && quota[k] < pools[k].length) {
        quota[k]++;
        total++;
        progress = true;
      }
    }
  }
  const chosen = mutantKinds.flatMap((k) => Array.from({ length: quota[k] }, (_, j) => pools[k][Math.floor(((j + 0.5) * pools[k].length) / quota[k])]!));
  return chosen.sort((a, b) => a.tags.line - b.tags.line || a.id.localeCompare(b.id));
}

// ---------- requests ----------

/** Default limits, spelled out so the label request and the independent runs share them. */
export const LIMITS = { timeMs: 2000 };

export function labelBody(p: PythonProblem, mutants: readonly Mutant[]): Record<string, unknown> {
  return {
    language: 'python',
    reference: referenceOf(p),
    testCode: p.test,
    limits: LIMITS,
    coverage: true,
    cache: false,
    variants: mutants.map((m) => ({ id: m.id, tags: m.tags, edit: m.edit })),
  };
}

export function variantSource(p: PythonProblem, m: Mutant): string {
  return applyEdit(referenceOf(p), m.edit as Edit, m.id).source;
}

function submissionBody(source: string, p: PythonProblem, coverage: boolean): Record<string, unknown> {
  return { language: 'python', source, testCode: p.test, limits: LIMITS, cache: false, ...(coverage ? { coverage: true } : {}) };
}

// ---------- checks ----------

/** POST a JSON body, answer status and parsed body. */
export type Post = (url: string, body: Record<string, unknown>) => Promise<{ statusCode: number; body: unknown }>;

export type CheckName = 'a_reference' | 'b_killed' | 'c_coverage' | 'edit_facts' | 'status';

export interface Violation {
  check: CheckName;
  taskId: string;
  variantId?: string;
  message: string;
  /** A POST /v1/label body with just this variant, to reproduce it. */
  reproduce?: Record<string, unknown>;
}

export interface CheckCounts {
  /** (b): killed variants resubmitted. */
  killedChecked: number;
  /** (c): surviving variants whose outcome was checked against independent coverage. */
  survivorsChecked: number;
  /** (c): of those, how many needed the variant's own coverage run. */
  variantCoverageRuns: number;
  /** Submissions made by the checks (reference coverage included). */
  submissions: number;
}

async function submit(post: Post, body: Record<string, unknown>): Promise<SubmissionResult> {
  const res = await post('/v1/submissions', body);
  if (res.statusCode !== 200) throw new Error(`POST /v1/submissions answered ${res.statusCode}: ${JSON.stringify(res.body).slice(0, 500)}`);
  return res.body as SubmissionResult;
}

/** Union of the executed lines of `main.py` over the tests; null when any test's coverage is unknown. */
function executedLines(r: SubmissionResult): Set<number> | null {
  const lines = new Set<number>();
  for (const t of r.tests) {
    if (t.verdict === 'skipped') continue;
    const cov = t.coverage?.['main.py'];
    if (!cov) return null;
    for (const l of cov) lines.add(l);
  }
  return lines;
}

const FAILING = (v: string) => v !== 'accepted' && v !== 'skipped';

/**
 * (a) the reference passed; (b) every killed variant `sampleKilled` picks, judged again as an
 * ordinary submission, gets killedBy.verdict, and killedBy.testId names a test that failed (for a
 * compile kill: the run is a compile error and the test named is the first); (c) each surviving
 * variant is survived_not_covered exactly when neither its removed reference line ran in an
 * independent coverage run of the reference nor its added line ran in one of the variant.
 * Plus the response's own edit facts against the edit, and every variant judged.
 */
export async function checkLabel(
  post: Post,
  p: PythonProblem,
  mutants: readonly Mutant[],
  r: LabelResponse,
  sampleKilled: (variantId: string) => boolean,
): Promise<{ violations: Violation[]; counts: CheckCounts }> {
  const violations: Violation[] = [];
  const counts: CheckCounts = { killedChecked: 0, survivorsChecked: 0, variantCoverageRuns: 0, submissions: 0 };
  const byId = new Map(mutants.map((m) => [m.id, m]));
  const reproduce = (m: Mutant) => labelBody(p, [m]);
  const fail = (check: CheckName, message: string, m?: Mutant) =>
    violations.push({ check, taskId: p.task_id, ...(m ? { variantId: m.id, reproduce: reproduce(m) } : {}), message });

  // (a)
  if (r.reference.status !== 'passed') {
    fail('a_reference', `reference ${r.reference.status}: failing tests ${JSON.stringify(r.reference.failingTests)}, verdict ${r.reference.result.verdict}`);
    return { violations, counts };
  }

  let refLines: Set<number> | null | undefined;
  const referenceCoverage = async () => {
    if (refLines !== undefined) return refLines;
    counts.submissions++;
    const ref = await submit(post, submissionBody(referenceOf(p), p, true));
    if (ref.verdict !== 'accepted') fail('a_reference', `the reference judged alone with coverage: ${ref.verdict}`);
    refLines = executedLines(ref);
    return refLines;
  };

  for (const v of r.variants) {
    const m = byId.get(v.id);
    if (!m) {
      fail('status', `the answer has a variant ${v.id} that was not sent`);
      continue;
    }
    if (v.status !== 'ok') {
      fail('status', `variant not judged: status ${v.status}${v.error ? ` ${JSON.stringify(v.error)}` : ''}`, m);
      continue;
    }
    const removed = [m.edit.startLine];
    const added = m.edit.op === 'replace' ? [m.edit.startLine] : [];
    if (JSON.stringify(v.edit.removedReferenceLines) !== JSON.stringify(removed) || JSON.stringify(v.edit.addedVariantLines) !== JSON.stringify(added)) {
      fail('edit_facts', `edit facts ${JSON.stringify(v.edit)}, expected removed ${JSON.stringify(removed)} added ${JSON.stringify(added)}`, m);
    }

    if (v.outcome === 'killed') {
      const k = v.killedBy!;
      // The variant's own row of the matrix must show the test it names failing.
      const row = v.tests?.find((t) => t.id === k.testId);
      if (k.cause !== 'compile' && (!row || !FAILING(row.verdict))) fail('b_killed', `killedBy ${JSON.stringify(k)} but the row says ${JSON.stringify(v.tests)}`, m);
      if (!sampleKilled(v.id)) continue;
      counts.killedChecked++;
      counts.submissions++;
      const again = await submit(post, submissionBody(variantSource(p, m), p, false));
      if (again.verdict !== k.verdict) {
        // Judged again with coverage, as the label route runs it: says whether tracing made the difference.
        counts.submissions++;
        const traced = await submit(post, submissionBody(variantSource(p, m), p, true));
        fail(
          'b_killed',
          `killedBy ${JSON.stringify(k)}, but judged alone: ${again.verdict} (${describe(again)}); judged alone with coverage: ${traced.verdict} (${describe(traced)})`,
          m,
        );
        continue;
      }
      if (k.cause === 'compile') {
        if (again.compile?.status !== 'failed' || k.testId !== again.tests[0]?.id) {
          fail('b_killed', `compile kill ${JSON.stringify(k)}, but judged alone: compile ${again.compile?.status ?? 'null'}, first test ${again.tests[0]?.id}`, m);
        }
      } else {
        const named = again.tests.find((t) => t.id === k.testId);
        const first = again.tests.find((t) => FAILING(t.verdict));
        if (!named || !FAILING(named.verdict) || first?.id !== k.testId) {
          fail('b_killed', `killedBy ${JSON.stringify(k)}, but judged alone the tests were ${JSON.stringify(again.tests.map((t) => [t.id, t.verdict]))}`, m);
        }
      }
      continue;
    }

    // (c): survivors.
    counts.survivorsChecked++;
    const refExec = await referenceCoverage();
    let covered: boolean | null;
    if (refExec && removed.some((l) => refExec.has(l))) covered = true;
    else if (added.length === 0) covered = refExec === null ? null : false;
    else {
      counts.variantCoverageRuns++;
      counts.submissions++;
      const own = await submit(post, submissionBody(variantSource(p, m), p, true));
      const ownExec = executedLines(own);
      if (own.verdict !== 'accepted') fail('c_coverage', `the survivor judged alone with coverage: ${own.verdict} (${describe(own)})`, m);
      if (ownExec && added.some((l) => ownExec.has(l))) covered = true;
      else covered = ownExec === null || refExec === null ? null : false;
    }
    const expected = covered === false ? 'survived_not_covered' : 'survived';
    if (v.outcome !== expected || v.covered !== covered) {
      fail('c_coverage', `outcome ${v.outcome} (covered ${v.covered}), but independent coverage says covered ${covered} → ${expected}`, m);
    }
  }
  return { violations, counts };
}

function describe(r: SubmissionResult): string {
  const t = r.tests.find((x) => FAILING(x.verdict)) ?? r.tests[0];
  if (!t) return `compile ${r.compile?.status ?? 'null'}`;
  const bits = [`cpu ${t.cpuTimeMs} ms`, `wall ${t.wallTimeMs} ms`];
  if (t.failure) bits.push(`${t.failure.exceptionType}: ${t.failure.message}`.slice(0, 200));
  else if (t.stderr.trim()) bits.push(t.stderr.trim().split('\n').at(-1)!.slice(0, 200));
  return bits.join(', ');
}
