// Builds a worker process's BullMQ workers around the processors: the follow-ups', and the task results'
// of the shards it holds a lease on.
import type { Job } from 'bullmq';
import type { Sequelize } from 'sequelize';
import type { Config } from '../config';
import type { Logger } from '../config/logger';
import type { RedisClient } from '../config/redis';
import { FOLLOW_UP_RECONCILER, QUEUES, type FollowUpJobData } from '../domain/jobs';
import { ResultTypeDirectory } from '../models/result-type-directory';
import { openWorker } from './bullmq-worker';
import { FollowUpJobs } from './follow-up-jobs';
import { dispatchFollowUps } from './follow-ups-dispatch';
import { BATCHES_IN_FLIGHT } from './group-commit';
import type { JobMetrics } from './job-metrics';
import { followUpProcessor } from './processors/follow-up';
import { reconcileFollowUpsProcessor } from './processors/reconcile-follow-ups';
import { taskResultProcessor } from './processors/task-result';
import { workerConnection } from './redis';
import { ShardLeases } from './shard-leases';
import { shardQueuePrefixes, TaskResultShards } from './task-result-shards';

export interface WorkerDeps {
  readonly sequelize: Sequelize;
  readonly connection: RedisClient;
  /** The configured queue prefix: the follow-ups queue's, and what the task-result shards' are made from. */
  readonly prefix: string;
  /** Task-result queue shards (QUEUE_SHARDS), 1 unless given. */
  readonly queueShards?: number;
  /** The shards this process may consume (WORKER_SHARDS); any when undefined. */
  readonly workerShards?: readonly number[];
  /** How long a dead worker process's shards wait for another to take them (SHARD_LEASE_MS). */
  readonly shardLeaseMs?: number;
  readonly concurrency: number;
  readonly maxClockSkewMs: number;
  readonly logger: Logger;
  readonly metrics: JobMetrics;
  /** How often the follow-up reconciler runs; tests shorten it. */
  readonly followUpReconcileEveryMs?: number;
}

export interface RunningWorkers {
  /** The task-result shards this process consumes now. */
  ownedShards(): number[];
  close(): Promise<void>;
}

const DEFAULT_SHARD_LEASE_MS = 15_000;

// Follow-ups are few and quick; a couple at a time keeps them from taking the pool the task results need.
const FOLLOW_UP_CONCURRENCY = 2;

/**
 * Connections a worker process needs: one per task-result batch in flight, one per follow-up job, and
 * two for the reconciler and the result-type lookups. The task results' concurrency does not count: its
 * jobs share the batches.
 */
export const WORKER_POOL_SIZE = BATCHES_IN_FLIGHT + FOLLOW_UP_CONCURRENCY + 2;

export function startWorkers(deps: WorkerDeps): RunningWorkers {
  const { connection, prefix, logger, metrics } = deps;
  const followUpJobs = new FollowUpJobs(connection, prefix);
  const apply = taskResultProcessor({ ...deps, timers: followUpJobs, resultTypes: new ResultTypeDirectory() });
  const taskResults = new TaskResultShards(deps, apply);
  const shards = shardQueuePrefixes(prefix, deps.queueShards ?? 1);
  const leases = new ShardLeases({
    redis: connection,
    // Per shard count: while QUEUE_SHARDS changes, the processes on each count share out their own shards.
    consumersKey: `${prefix}:${QUEUES.activityResults}:shard:consumers-${shards.length}`,
    leaseKeys: shards.map(([shardPrefix]) => `${shardPrefix}:${QUEUES.activityResults}:shard:owner`),
    shards: deps.workerShards,
    leaseMs: deps.shardLeaseMs ?? DEFAULT_SHARD_LEASE_MS,
    handlers: { start: (shard) => taskResults.start(shard, shards[shard]), stop: (shard) => taskResults.stop(shard) },
    logger,
  });
  const followUp = followUpProcessor(deps);
  const reconcile = reconcileFollowUpsProcessor({ timers: followUpJobs, logger });
  const followUps = openWorker(QUEUES.followUps, dispatchFollowUps<Job<FollowUpJobData, unknown>>({ followUp, reconcile }), {
    connection,
    prefix,
    concurrency: FOLLOW_UP_CONCURRENCY,
    logger,
    metrics,
    holdQueue: (ms) => followUpJobs.queue.rateLimit(ms),
  });
  followUpJobs.keepReconcilerScheduled(deps.followUpReconcileEveryMs ?? FOLLOW_UP_RECONCILER.everyMs, logger);
  metrics.watchShards(() => leases.owned());
  leases.start();
  return {
    ownedShards: () => leases.owned(),
    async close() {
      await Promise.all([leases.close(), followUps.close()]);
      await followUpJobs.close();
    },
  };
}

/** The workers of a process as its Config says, on a Redis connection of their own that close() ends. */
export function startConfiguredWorkers(config: Config, deps: Pick<WorkerDeps, 'sequelize' | 'logger' | 'metrics'>): RunningWorkers {
  const connection = workerConnection(config.redis);
  const running = startWorkers({
    ...deps,
    connection,
    prefix: config.queuePrefix,
    queueShards: config.queueShards,
    workerShards: config.workerShards,
    shardLeaseMs: config.shardLeaseMs,
    concurrency: config.workerConcurrency,
    maxClockSkewMs: config.maxClockSkewMs,
  });
  return {
    ownedShards: () => running.ownedShards(),
    async close() {
      await running.close();
      connection.disconnect();
    },
  };
}
