import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { JudgeStats } from '../../src/judge/judge.js';
import { Metrics } from '../../src/metrics.js';
import { ROOT_DIR } from '../../src/paths.js';

interface Target {
  expr?: string;
}
interface Panel {
  type: string;
  title?: string;
  description?: string;
  datasource?: { uid?: string };
  targets?: Target[];
  panels?: Panel[];
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  templating: { list: { name: string; type: string; query: unknown; multi?: boolean; includeAll?: boolean }[] };
  panels: Panel[];
}

const DASHBOARD_FILE = path.join(ROOT_DIR, 'deploy', 'grafana', 'verdict-dashboard.json');
const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as Dashboard;

// Rows are layout only (no query); a collapsed row keeps its panels inside it.
const panels = dashboard.panels.flatMap((p) => (p.type === 'row' ? (p.panels ?? []) : [p]));
const exprs = panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ''));

const zeroStats: JudgeStats = {
  running: 0,
  queued: 0,
  queueUsed: 0,
  paused: 0,
  waitingRequests: 0,
  concurrency: 0,
  queueLimit: 0,
  saturated: false,
  pool: { idle: 0, starting: 0, closing: 0, kinds: 0, maxIdle: 0 },
  cache: { entries: 0, bytes: 0, maxBytes: 0 },
};

/** Name -> label names, from the registry the service really exposes, default metrics included. */
const exported = new Map<string, { type: string; labels: Set<string> }>(
  new Metrics(() => zeroStats).registry
    .getMetricsAsArray()
    // labelNames is set on every prom-client metric at run time but missing from its typings.
    .map((m) => [m.name, { type: String(m.type), labels: new Set((m as { labelNames?: readonly string[] }).labelNames ?? []) }]),
);

/** Labels Prometheus adds at scrape time, or that histogram_quantile needs. */
const IMPLICIT_LABELS = new Set(['instance', 'job', 'le']);

/** The exported metric a series name belongs to: histograms are queried through their _bucket/_sum/_count series. */
function resolve(series: string): { type: string; labels: Set<string> } | undefined {
  const exact = exported.get(series);
  // Prometheus has no series under a histogram's bare name.
  if (exact) return exact.type === 'histogram' ? undefined : exact;
  const base = exported.get(series.replace(/_(bucket|sum|count)$/, ''));
  return base?.type === 'histogram' ? base : undefined;
}

const seriesIn = (expr: string): string[] => [...expr.matchAll(/verdict_[a-z0-9_]+/g)].map((m) => m[0]);

/** Each `metric{...}` with the label names its matchers use. */
const selectorsIn = (expr: string): { series: string; body: string; labels: string[] }[] =>
  [...expr.matchAll(/(verdict_[a-z0-9_]+)\s*\{([^}]*)\}/g)].map((m) => ({
    series: m[1]!,
    body: m[2]!,
    labels: [...m[2]!.matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)\s*"/g)].map((l) => l[1]!),
  }));

const groupingLabelsIn = (expr: string): string[] =>
  [...expr.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)].flatMap((m) => m[1]!.split(',').map((l) => l.trim()).filter(Boolean));

describe('Grafana dashboard (deploy/grafana/verdict-dashboard.json)', () => {
  it('is identified and templated for import into any Grafana with a Prometheus data source', () => {
    assert.equal(dashboard.uid, 'verdict-overview');
    assert.equal(dashboard.title, 'Verdict');
    assert.equal(dashboard.schemaVersion, 39);
    const vars = new Map(dashboard.templating.list.map((v) => [v.name, v]));
    assert.equal(vars.get('datasource')?.type, 'datasource');
    assert.equal(vars.get('datasource')?.query, 'prometheus');
    assert.equal(vars.get('instance')?.multi, true);
    assert.equal(vars.get('instance')?.includeAll, true);
  });

  it('gives every panel a title, a description, the templated data source and a query', () => {
    assert.ok(panels.length > 0);
    for (const p of panels) {
      assert.ok(p.title, `panel without title: ${JSON.stringify(p).slice(0, 80)}`);
      assert.ok(p.description, `${p.title}: no description`);
      assert.equal(p.datasource?.uid, '${datasource}', `${p.title}: data source`);
      assert.ok((p.targets ?? []).length > 0, `${p.title}: no targets`);
      for (const t of p.targets ?? []) assert.ok(t.expr, `${p.title}: target without expr`);
    }
  });

  it('queries only metrics the service exports', () => {
    for (const expr of exprs) {
      for (const series of seriesIn(expr)) assert.ok(resolve(series), `unknown metric ${series} in: ${expr}`);
    }
  });

  it('selects and groups only by labels those metrics carry', () => {
    for (const expr of exprs) {
      for (const { series, labels } of selectorsIn(expr)) {
        const known = resolve(series)?.labels ?? new Set();
        for (const label of labels) assert.ok(known.has(label) || IMPLICIT_LABELS.has(label), `${series} has no label ${label}: ${expr}`);
      }
      // A grouping label has to exist on every series being aggregated, so check it against all of them.
      for (const label of groupingLabelsIn(expr)) {
        for (const series of seriesIn(expr)) {
          const known = resolve(series)?.labels ?? new Set();
          assert.ok(known.has(label) || IMPLICIT_LABELS.has(label), `${series} has no label ${label} to group by: ${expr}`);
        }
      }
    }
  });

  it('filters every series by the instance variable', () => {
    for (const expr of exprs) {
      const filtered = selectorsIn(expr).filter((s) => s.body.includes('instance=~"$instance"'));
      assert.equal(filtered.length, seriesIn(expr).length, `a series is not filtered by $instance: ${expr}`);
    }
  });

  it('covers queue depth, containers, verdicts, latency, pool hits and cache hits', () => {
    const used = new Set(exprs.flatMap(seriesIn));
    for (const series of [
      'verdict_queue_depth',
      'verdict_containers_running',
      'verdict_submissions_total',
      'verdict_http_request_duration_seconds_bucket',
      'verdict_pool_takes_total',
      'verdict_cache_results_total',
    ]) {
      assert.ok(used.has(series), `no panel queries ${series}`);
    }
  });
});
