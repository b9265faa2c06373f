/** Prometheus metrics, on a registry per app instance (tests build many apps). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { JudgeObserver, JudgeStats } from './judge/judge.js';

export class Metrics implements JudgeObserver {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'verdict_http_requests_total',
    help: 'HTTP requests answered, by route and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'verdict_http_request_duration_seconds',
    help: 'Time to answer an HTTP request',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly verdicts = new Counter({
    name: 'verdict_submissions_total',
    help: 'Submissions judged, by language and overall verdict',
    labelNames: ['language', 'verdict'] as const,
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'verdict_errors_total',
    help: 'Requests that ended in a Verdict or Docker failure, by error code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly stages = new Histogram({
    name: 'verdict_stage_duration_seconds',
    help: 'Duration of judging stages: queue, container start, compile, one test, whole submission',
    labelNames: ['language', 'stage'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly containersRunning = new Gauge({
    name: 'verdict_containers_running',
    help: 'Sandbox containers this instance has started and not yet removed',
    registers: [this.registry],
  });
  readonly containersStarted = new Counter({
    name: 'verdict_containers_started_total',
    help: 'Sandbox containers this instance has started: next to verdict_sandbox_acquired_total, how many programs one container serves',
    registers: [this.registry],
  });

  readonly cacheResults = new Counter({
    name: 'verdict_cache_results_total',
    help: 'Programs by how their result was obtained: hit (cached), shared (identical run in flight), miss (judged), off (not cached)',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });
  readonly sandboxSources = new Counter({
    name: 'verdict_sandbox_acquired_total',
    help: 'Sandboxes handed to a program, by origin: pool (started ahead), recycled (served a program of another request, reset), reused (same request, reset), fresh (started on demand)',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });
  readonly poolTakes = new Counter({
    name: 'verdict_pool_takes_total',
    help: 'Warm-pool lookups, by whether a warm sandbox was there',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly connectionsClosed = new Counter({
    name: 'verdict_connections_closed_total',
    help: 'Connections Verdict closed itself, by reason: address_cap (over the per-address cap), send_timeout (the client stopped reading)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly poolStartFailures = new Counter({
    name: 'verdict_pool_start_failures_total',
    help: 'Warm sandboxes that failed to start in the background',
    registers: [this.registry],
  });

  constructor(stats: () => JudgeStats) {
    collectDefaultMetrics({ register: this.registry, prefix: 'verdict_process_' });
    new Gauge({
      name: 'verdict_queue_depth',
      help: 'Submissions waiting for a sandbox slot',
      registers: [this.registry],
      collect() {
        this.set(stats().queued);
      },
    });
    new Gauge({
      name: 'verdict_submissions_running',
      help: 'Submissions being judged now',
      registers: [this.registry],
      collect() {
        this.set(stats().running);
      },
    });
    new Gauge({
      name: 'verdict_requests_waiting',
      help: 'Requests (single submissions or batches) with programs waiting for a slot',
      registers: [this.registry],
      collect() {
        this.set(stats().waitingRequests);
      },
    });
    new Gauge({
      name: 'verdict_saturated',
      help: '1 while the queue is full and new work is refused',
      registers: [this.registry],
      collect() {
        this.set(stats().saturated ? 1 : 0);
      },
    });
    new Gauge({
      name: 'verdict_pool_idle',
      help: 'Warm sandboxes started and waiting for a program',
      registers: [this.registry],
      collect() {
        this.set(stats().pool.idle);
      },
    });
    new Gauge({
      name: 'verdict_cache_bytes',
      help: 'Bytes of results held in the result cache',
      registers: [this.registry],
      collect() {
        this.set(stats().cache.bytes);
      },
    });
  }

  cacheResult(source: string): void {
    this.cacheResults.inc({ source });
  }

  sandboxSource(source: string): void {
    this.sandboxSources.inc({ source });
  }

  poolTake(hit: boolean): void {
    this.poolTakes.inc({ result: hit ? 'hit' : 'miss' });
  }

  poolStartFailed(): void {
    this.poolStartFailures.inc();
  }

  stage(language: string, stage: string, seconds: number): void {
    this.stages.observe({ language, stage }, seconds);
  }

  verdict(language: string, verdict: string): void {
    this.verdicts.inc({ language, verdict });
  }

  containers(delta: number): void {
    this.containersRunning.inc(delta);
    if (delta > 0) this.containersStarted.inc(delta);
  }
}
