// Job outcome metrics of the worker process, counted where jobs finish. Each worker process keeps its own
// counters (Prometheus sums them over instances); the worker serves them on WORKER_METRICS_PORT, and
// `npm run dev` adds them to the web's /metrics because both share one registry there.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { seriesBy } from '../lib/series-per-label-set';

export type JobOutcome = 'completed' | 'failed' | 'retried';

export interface JobMetrics {
  record(queue: string, outcome: JobOutcome, code: string, seconds: number): void;
  /** A batch of task-result events went into one transaction (docs/decisions/007-group-commit.md). */
  recordBatch(events: number): void;
  /** Reads the task-result shards the process holds at each scrape (docs/decisions/011-shard-leases.md). */
  watchShards(held: () => readonly number[]): void;
}

export function createJobMetrics(registry: Registry): JobMetrics {
  const jobs = new Counter({
    name: 'jobs_total',
    help: 'Job attempts by queue and outcome: completed, failed (for good) or retried, with the outcome code',
    labelNames: ['queue', 'outcome', 'code'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'job_duration_seconds',
    help: 'Time a job attempt spent in the processor, by queue and outcome',
    labelNames: ['queue', 'outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const batches = new Histogram({
    name: 'task_result_batch_events',
    help: 'Task-result events per transaction: near 1 while the worker keeps up, larger while it works off a backlog',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128],
    registers: [registry],
  });
  let heldShards: () => readonly number[] = () => [];
  new Gauge({
    name: 'task_result_shards_held',
    help: 'Task-result shards this worker process holds the lease on and consumes, one series per shard',
    labelNames: ['shard'],
    registers: [registry],
    collect() {
      this.reset();
      for (const shard of heldShards()) this.labels(String(shard)).set(1);
    },
  });
  const jobsBy = seriesBy((queue, outcome, code) => jobs.labels(queue, outcome, code));
  const durationBy = seriesBy((queue, outcome) => duration.labels(queue, outcome));
  return {
    record(queue, outcome, code, seconds) {
      jobsBy(queue, outcome, code).inc();
      durationBy(queue, outcome).observe(Math.max(0, seconds));
    },
    recordBatch(events) {
      batches.observe(events);
    },
    watchShards(held) {
      heldShards = held;
    },
  };
}
