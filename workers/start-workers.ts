// Builds the BullMQ workers around the processors. Only this file and index.ts import bullmq.
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Sequelize } from 'sequelize';
import type { Logger } from '../config/logger';
import { toFailedReason } from '../domain/errors';
import { QUEUES, type TaskResultJobData, type TaskResultJobResult } from '../domain/jobs';
import { classify } from './classify';
import { taskResultProcessor } from './processors/task-result';

export interface WorkerDeps {
  readonly sequelize: Sequelize;
  readonly connection: Redis;
  readonly prefix: string;
  readonly concurrency: number;
  readonly maxClockSkewMs: number;
  readonly logger: Logger;
}

export interface RunningWorkers {
  readonly workers: readonly Worker[];
  close(): Promise<void>;
}

/** Wraps a processor so domain errors fail the job at once with their code in failedReason. */
function classified<T, R>(logger: Logger, process: (job: Job<T, R>) => Promise<R>) {
  return async (job: Job<T, R>): Promise<R> => {
    try {
      return await process(job);
    } catch (error) {
      const verdict = classify(error);
      if (!verdict.retry) throw new UnrecoverableError(toFailedReason(verdict.error));
      logger.warn({ jobId: job.id, attempt: job.attemptsMade + 1, reason: verdict.reason, err: error }, 'attempt failed, will retry');
      throw error;
    }
  };
}

export function startWorkers(deps: WorkerDeps): RunningWorkers {
  const { connection, prefix, concurrency, logger } = deps;
  const taskResults = new Worker<TaskResultJobData, TaskResultJobResult>(
    QUEUES.activityResults,
    classified(logger, taskResultProcessor(deps)),
    {
      connection,
      prefix,
      concurrency,
      // A killed worker's jobs go back to the queue after the lock lapses; allow several such crashes
      // before calling a job stalled for good.
      lockDuration: 15_000,
      maxStalledCount: 5,
    },
  );
  const workers = [taskResults];
  for (const worker of workers) {
    worker.on('failed', (job, error) => logger.info({ queue: worker.name, jobId: job?.id, attempts: job?.attemptsMade, reason: error.message }, 'job failed'));
    worker.on('error', (error) => logger.error({ queue: worker.name, err: error }, 'worker error'));
  }
  return {
    workers,
    async close() {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
