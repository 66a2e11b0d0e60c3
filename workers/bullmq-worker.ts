// A BullMQ worker as this service runs every one: stall detection tuned for crashes, errors classified,
// outcomes logged and counted. Processors never import bullmq; this file and the wiring around it do.
import { MetricsTime, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Logger } from '../config/logger';
import type { RedisClient } from '../config/redis';
import { toFailedReason } from '../domain/errors';
import { classify } from './classify';
import type { JobMetrics } from './job-metrics';
import { watchOutcomes } from './job-outcomes';

const WORKER_OPTIONS = {
  // A killed worker's jobs go back to the queue after the lock lapses; allow several such crashes before
  // calling a job stalled for good. A check hands back the jobs an earlier check saw active whose lock
  // has lapsed since: checking every 5 s rather than BullMQ's 30 s has a crashed worker's jobs running
  // again at most 20 s after the crash instead of 75.
  lockDuration: 15_000,
  stalledInterval: 5_000,
  maxStalledCount: 5,
  // Per-minute completed/failed counts kept in Redis: Bull Board draws its throughput graph from them.
  metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
};

// While PostgreSQL cannot be reached no attempt can succeed, and each would spend one of the job's
// attempts: an outage longer than the whole backoff (minutes) would fail acknowledged events for good.
// So such a job goes back to the queue with its attempts intact and the worker holds off for a while.
const DATABASE_WAIT_MS = 5_000;

export interface WorkerSettings {
  readonly connection: RedisClient;
  readonly prefix: string;
  readonly concurrency: number;
  readonly logger: Logger;
  readonly metrics: JobMetrics;
  /** Holds the whole queue back for a while (its rate limit key, whose remaining time the worker waits out). */
  readonly holdQueue: (ms: number) => Promise<void>;
  /** False: the worker takes no job until run() is called; its stalled-job check can be started on its own. */
  readonly autorun?: boolean;
}

export function openWorker<T, R>(name: string, process: (job: Job<T, R>) => Promise<R>, settings: WorkerSettings): Worker<T, R> {
  const { connection, prefix, concurrency, logger, metrics } = settings;
  const worker = new Worker<T, R>(name, classified(logger, process, settings.holdQueue), {
    connection,
    prefix,
    concurrency,
    autorun: settings.autorun ?? true,
    ...WORKER_OPTIONS,
  });
  watchOutcomes(worker, logger, metrics);
  worker.on('error', (error) => logger.error({ queue: worker.name, err: error }, 'worker error'));
  return worker;
}

/**
 * Wraps a processor so domain errors fail the job at once with their code in failedReason, and a
 * database outage puts the job back with its attempts intact. Other errors are rethrown for BullMQ to
 * retry (watchOutcomes logs them).
 */
function classified<T, R>(logger: Logger, process: (job: Job<T, R>) => Promise<R>, holdQueue: (ms: number) => Promise<void>) {
  return async (job: Job<T, R>): Promise<R> => {
    try {
      return await process(job);
    } catch (error) {
      const verdict = classify(error);
      if (!verdict.retry) throw new UnrecoverableError(toFailedReason(verdict.error));
      if (verdict.waitForDatabase) {
        logger.warn({ jobId: job.id, waitMs: DATABASE_WAIT_MS, err: error }, 'database unreachable: job put back, attempts kept');
        await holdQueue(DATABASE_WAIT_MS);
        throw Worker.RateLimitError();
      }
      throw error;
    }
  };
}
