// Builds the BullMQ workers around the processors. Processors never import bullmq; the wiring here does.
import { MetricsTime, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Sequelize } from 'sequelize';
import type { Logger } from '../config/logger';
import { toFailedReason } from '../domain/errors';
import { QUEUES, type TaskResultJobData, type TaskResultJobResult } from '../domain/jobs';
import { classify } from './classify';
import type { JobMetrics } from './job-metrics';
import { watchOutcomes } from './job-outcomes';
import { taskResultProcessor } from './processors/task-result';

export interface WorkerDeps {
  readonly sequelize: Sequelize;
  readonly connection: Redis;
  readonly prefix: string;
  readonly concurrency: number;
  readonly maxClockSkewMs: number;
  readonly logger: Logger;
  readonly metrics: JobMetrics;
}

export interface RunningWorkers {
  readonly workers: readonly Worker[];
  close(): Promise<void>;
}

/**
 * Wraps a processor so domain errors fail the job at once with their code in failedReason; other errors
 * are rethrown for BullMQ to retry (watchOutcomes logs each attempt).
 */
function classified<T, R>(process: (job: Job<T, R>) => Promise<R>) {
  return async (job: Job<T, R>): Promise<R> => {
    try {
      return await process(job);
    } catch (error) {
      const verdict = classify(error);
      if (!verdict.retry) throw new UnrecoverableError(toFailedReason(verdict.error));
      throw error;
    }
  };
}

export function startWorkers(deps: WorkerDeps): RunningWorkers {
  const { connection, prefix, concurrency, logger, metrics } = deps;
  const taskResults = new Worker<TaskResultJobData, TaskResultJobResult>(
    QUEUES.activityResults,
    classified(taskResultProcessor(deps)),
    {
      connection,
      prefix,
      concurrency,
      // A killed worker's jobs go back to the queue after the lock lapses; allow several such crashes
      // before calling a job stalled for good.
      lockDuration: 15_000,
      maxStalledCount: 5,
      // Per-minute completed/failed counts kept in Redis: Bull Board draws its throughput graph from them.
      metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
    },
  );
  const workers = [taskResults];
  for (const worker of workers) {
    watchOutcomes(worker, logger, metrics);
    worker.on('error', (error) => logger.error({ queue: worker.name, err: error }, 'worker error'));
  }
  return {
    workers,
    async close() {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
