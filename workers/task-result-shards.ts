// The task-result workers of the shards a worker process holds (shard-leases.ts says which), all feeding
// one processor, so the jobs in flight from every shard are applied in the same batches.
import { Queue, type Job, type Worker } from 'bullmq';
import { QUEUES, type TaskResultJobData, type TaskResultJobResult } from '../domain/jobs';
import { shardPrefixes } from '../domain/queue-shards';
import { openWorker, type WorkerSettings } from './bullmq-worker';

const SETTLED_POLL_MS = 500;

type Settings = Pick<WorkerSettings, 'connection' | 'logger' | 'metrics' | 'concurrency'>;

export class TaskResultShards {
  private readonly running = new Map<number, { workers: Worker[]; queues: Queue[]; stopped: boolean }>();

  constructor(
    private readonly settings: Settings,
    private readonly apply: (job: Job<TaskResultJobData, TaskResultJobResult>) => Promise<TaskResultJobResult>,
  ) {}

  start(shard: number, prefixes: readonly string[]): void {
    const { connection, logger } = this.settings;
    const queues = prefixes.map((prefix) => new Queue(QUEUES.activityResults, { connection, prefix }));
    const { main, before } = concurrencyShares(this.running.size + 1, this.settings.concurrency);
    const workers = queues.map((queue, i) =>
      openWorker(QUEUES.activityResults, this.apply, {
        ...this.settings,
        prefix: queue.opts.prefix!,
        concurrency: i === 0 ? main : before,
        holdQueue: (ms) => queue.rateLimit(ms),
        autorun: false,
      }),
    );
    const running = { workers, queues, stopped: false };
    this.running.set(shard, running);
    this.share();
    this.runOnceSettled(running).catch((error: unknown) => logger.error({ err: error, shard }, 'task-result shard did not start'));
  }

  /**
   * Takes new jobs only once the shard has no active job left: a shard whose owner died still lists the
   * jobs it had, and taking the jobs queued behind them first would apply a key's newer event before its
   * older one. The stalled-job check, run meanwhile, hands those back to the front of the queue once their
   * locks have lapsed. A shard handed over cleanly has none, and starts at once.
   */
  private async runOnceSettled(running: { workers: Worker[]; queues: Queue[]; stopped: boolean }): Promise<void> {
    await Promise.all(running.workers.map((worker) => worker.startStalledCheckTimer()));
    for (;;) {
      if (running.stopped) return;
      const active = await Promise.all(running.queues.map((queue) => queue.getActiveCount()));
      if (active.every((n) => n === 0)) break;
      await new Promise((resolve) => setTimeout(resolve, SETTLED_POLL_MS));
    }
    if (running.stopped) return;
    for (const worker of running.workers)
      worker.run().catch((error: unknown) => this.settings.logger.error({ err: error, queue: worker.name }, 'worker stopped running'));
  }

  /** Resolves once the shard's active jobs have finished. */
  async stop(shard: number): Promise<void> {
    const running = this.running.get(shard);
    if (running === undefined) return;
    this.running.delete(shard);
    running.stopped = true;
    await Promise.all(running.workers.map((worker) => worker.close()));
    await Promise.all(running.queues.map((queue) => queue.close()));
    this.share();
  }

  /** The process holds about `concurrency` jobs however many shards it has (the pool is sized for that). */
  private share(): void {
    const { main, before } = concurrencyShares(this.running.size, this.settings.concurrency);
    for (const { workers } of this.running.values()) workers.forEach((worker, i) => (worker.concurrency = i === 0 ? main : before));
  }
}

/**
 * The task-result queues of each shard. With several shards, the queue as it was with one is consumed too,
 * by shard 0's owner, so jobs queued before the shards came are still applied (docs/redis-cluster.md).
 */
export function shardQueuePrefixes(queuePrefix: string, count: number): string[][] {
  const prefixes = shardPrefixes(queuePrefix, count);
  if (count === 1) return [prefixes];
  return prefixes.map((shardPrefix, shard) => (shard === 0 ? [shardPrefix, queuePrefix] : [shardPrefix]));
}

/**
 * Each task-result queue's share of the process's concurrency when it holds `shards` shards. The queue as
 * it was before the shards is drained once and then idle: it takes a quarter share.
 */
export function concurrencyShares(shards: number, concurrency: number): { main: number; before: number } {
  const main = Math.max(1, Math.ceil(concurrency / Math.max(1, shards)));
  return { main, before: Math.max(1, Math.ceil(main / 4)) };
}
