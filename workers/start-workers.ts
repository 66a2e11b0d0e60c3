// Builds the BullMQ workers around the processors. Processors never import bullmq; the wiring here (and
// follow-up-jobs.ts) does.
import { MetricsTime, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Sequelize } from 'sequelize';
import type { Config } from '../config';
import type { Logger } from '../config/logger';
import type { RedisClient } from '../config/redis';
import { toFailedReason } from '../domain/errors';
import { shardPrefixes } from '../domain/queue-shards';
import { FOLLOW_UP_RECONCILER, QUEUES, type FollowUpJobData, type TaskResultJobData, type TaskResultJobResult } from '../domain/jobs';
import { ResultTypeDirectory } from '../models/result-type-directory';
import { classify } from './classify';
import { FollowUpJobs } from './follow-up-jobs';
import { dispatchFollowUps } from './follow-ups-dispatch';
import type { JobMetrics } from './job-metrics';
import { watchOutcomes } from './job-outcomes';
import { workerConnection } from './redis';
import { BATCHES_IN_FLIGHT } from './group-commit';
import { followUpProcessor } from './processors/follow-up';
import { reconcileFollowUpsProcessor } from './processors/reconcile-follow-ups';
import { taskResultProcessor } from './processors/task-result';

export interface WorkerDeps {
  readonly sequelize: Sequelize;
  readonly connection: RedisClient;
  /** The follow-ups queue's prefix, and the task-result queue's unless `taskResultPrefixes` says otherwise. */
  readonly prefix: string;
  /** The task-result queues to consume: the shards' prefixes (taskResultPrefixesOf). */
  readonly taskResultPrefixes?: readonly string[];
  readonly concurrency: number;
  readonly maxClockSkewMs: number;
  readonly logger: Logger;
  readonly metrics: JobMetrics;
  /** How often the follow-up reconciler runs; tests shorten it. */
  readonly followUpReconcileEveryMs?: number;
}

export interface RunningWorkers {
  readonly workers: readonly Worker[];
  close(): Promise<void>;
}

// Follow-ups are few and quick; a couple at a time keeps them from taking the pool the task results need.
const FOLLOW_UP_CONCURRENCY = 2;

/**
 * Connections a worker process needs: one per task-result batch in flight, one per follow-up job, and
 * two for the reconciler and the result-type lookups. The task results' concurrency does not count: its
 * jobs share the batches.
 */
export const WORKER_POOL_SIZE = BATCHES_IN_FLIGHT + FOLLOW_UP_CONCURRENCY + 2;

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

/**
 * Wraps a processor so domain errors fail the job at once with their code in failedReason, and a
 * database outage puts the job back (`holdQueue` sets the queue's rate limit key, whose remaining time
 * the worker then waits out). Other errors are rethrown for BullMQ to retry (watchOutcomes logs them).
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

export function startWorkers(deps: WorkerDeps): RunningWorkers {
  const { connection, prefix, concurrency, logger, metrics } = deps;
  const followUpJobs = new FollowUpJobs(connection, prefix);
  // One processor for every shard: the jobs in flight from all of them are applied in the same batches.
  const applyTaskResult = taskResultProcessor({ ...deps, timers: followUpJobs, resultTypes: new ResultTypeDirectory() });
  const taskResultQueues = (deps.taskResultPrefixes ?? [prefix]).map(
    (shardPrefix) => new Queue(QUEUES.activityResults, { connection, prefix: shardPrefix }),
  );
  const shares = concurrencyShares(
    taskResultQueues.map((queue) => queue.opts.prefix!),
    prefix,
    concurrency,
  );
  const taskResults = taskResultQueues.map(
    (queue, i) =>
      new Worker<TaskResultJobData, TaskResultJobResult>(
        QUEUES.activityResults,
        classified(logger, applyTaskResult, (ms) => queue.rateLimit(ms)),
        { connection, prefix: queue.opts.prefix, concurrency: shares[i], ...WORKER_OPTIONS },
      ),
  );
  const followUp = followUpProcessor(deps);
  const reconcile = reconcileFollowUpsProcessor({ timers: followUpJobs, logger });
  const followUps = new Worker<FollowUpJobData, unknown>(
    QUEUES.followUps,
    classified(logger, dispatchFollowUps<Job<FollowUpJobData, unknown>>({ followUp, reconcile }), (ms) => followUpJobs.queue.rateLimit(ms)),
    { connection, prefix, concurrency: FOLLOW_UP_CONCURRENCY, ...WORKER_OPTIONS },
  );
  followUpJobs.keepReconcilerScheduled(deps.followUpReconcileEveryMs ?? FOLLOW_UP_RECONCILER.everyMs, logger);
  const workers = [...taskResults, followUps];
  for (const worker of workers) {
    watchOutcomes(worker, logger, metrics);
    worker.on('error', (error) => logger.error({ queue: worker.name, err: error }, 'worker error'));
  }
  return {
    workers,
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all([followUpJobs.close(), ...taskResultQueues.map((queue) => queue.close())]);
    },
  };
}

/**
 * The task-result queues a worker process consumes: every shard, or those WORKER_SHARDS names. With several
 * shards, the queue as it was with one is consumed too (by the workers of shard 0), so jobs queued before
 * the shards came are still applied (docs/redis-cluster.md).
 */
export function taskResultPrefixesOf(config: Pick<Config, 'queuePrefix' | 'queueShards' | 'workerShards'>): string[] {
  const prefixes = shardPrefixes(config.queuePrefix, config.queueShards);
  if (prefixes.length === 1) return prefixes;
  const chosen = config.workerShards ?? prefixes.map((_, shard) => shard);
  return [...chosen.map((shard) => prefixes[shard]), ...(chosen.includes(0) ? [config.queuePrefix] : [])];
}

/**
 * Each task-result queue's share of the process's concurrency, so the process holds about `concurrency`
 * jobs however many shards it consumes (the pool is sized for that). The queue as it was before the
 * shards (`prefix`, when it is one of several) is drained once and then idle: it takes a quarter share.
 */
export function concurrencyShares(prefixes: readonly string[], prefix: string, concurrency: number): number[] {
  if (prefixes.length === 1) return [concurrency];
  const shards = prefixes.filter((p) => p !== prefix).length;
  const share = Math.max(1, Math.ceil(concurrency / shards));
  return prefixes.map((p) => (p === prefix ? Math.max(1, Math.ceil(share / 4)) : share));
}

/** The workers of a process as its Config says, on a Redis connection of their own that close() ends. */
export function startConfiguredWorkers(config: Config, deps: Pick<WorkerDeps, 'sequelize' | 'logger' | 'metrics'>): RunningWorkers {
  const connection = workerConnection(config.redis);
  const running = startWorkers({
    ...deps,
    connection,
    prefix: config.queuePrefix,
    taskResultPrefixes: taskResultPrefixesOf(config),
    concurrency: config.workerConcurrency,
    maxClockSkewMs: config.maxClockSkewMs,
  });
  return {
    workers: running.workers,
    async close() {
      await running.close();
      connection.disconnect();
    },
  };
}
