// The web process's Prometheus metrics: HTTP requests by route and status with a latency histogram, and
// the depth of every queue by state, read from BullMQ at scrape time (so every web instance reports the
// same, global, numbers). Job outcomes are counted by the workers where jobs finish (workers/job-metrics.ts).
import type { WatchedQueue } from './task-result-queues';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { seriesBy } from '../lib/series-per-label-set';

export const DEPTH_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
const DEPTH_TIMEOUT_MS = 1_000;

export interface HttpMetrics {
  observe(method: string, route: string, status: number, seconds: number): void;
}

export function createHttpMetrics(registry: Registry): HttpMetrics {
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method and route',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const requestsBy = seriesBy((method, route, status) => requests.labels(method, route, status));
  const durationBy = seriesBy((method, route) => duration.labels(method, route));
  return {
    observe(method, route, status, seconds) {
      requestsBy(method, route, String(status)).inc();
      durationBy(method, route).observe(seconds);
    },
  };
}

/**
 * queue_depth{queue,state} (and `shard` for a task-result shard): counted in Redis when Prometheus scrapes;
 * absent while Redis is unreachable.
 */
export function registerQueueDepth(registry: Registry, queues: readonly WatchedQueue[]): void {
  new Gauge({
    name: 'queue_depth',
    help: `Jobs per queue and state (${DEPTH_STATES.join(', ')}), read from BullMQ at scrape time`,
    labelNames: ['queue', 'state', 'shard'],
    registers: [registry],
    async collect() {
      this.reset();
      const counts = await Promise.all(queues.map(({ queue }) => within(queue.getJobCounts(...DEPTH_STATES), DEPTH_TIMEOUT_MS)));
      queues.forEach(({ queue, shard }, i) => {
        for (const state of DEPTH_STATES) {
          const n = counts[i]?.[state];
          if (n !== undefined) this.set(shard === undefined ? { queue: queue.name, state } : { queue: queue.name, state, shard }, n);
        }
      });
    },
  });
}

async function within<T>(operation: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([operation.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
