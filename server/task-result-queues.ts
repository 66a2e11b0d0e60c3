// The task-result queue as QUEUE_SHARDS queues (docs/redis-cluster.md). An event goes to its shard (a stable
// hash of its tenant and target key) and is waited for there; a job looked up by id alone is looked for on
// every shard. With one shard this is the queue as it always was, under the configured prefix.
import type { Job, JobState, Queue } from 'bullmq';
import { bindingShardOf, shardKeyOf, shardOf, shardPrefixes } from '../domain/queue-shards';
import type { TaskResultJobData, TaskResultJobResult } from '../domain/jobs';
import type { TaskResultEvent } from '../domain/task-result-event';
import type { Finished } from './job-waiter';
import { TaskResultQueue, type BulkJob, type TaskResultQueueOptions } from './task-result-queue';

export interface ShardedAddOptions {
  readonly keyed: boolean;
  /** The event's shard (shardFor); the first when there is one. */
  readonly shard?: number;
}

/** A batch's job and the shard its event goes to. */
export interface ShardedBulkJob extends BulkJob {
  readonly shard?: number;
}

/** A queue Bull Board and the metrics show; `shard` tells a task-result shard from the others. */
export interface WatchedQueue {
  readonly queue: Queue;
  /** The shard's number, or `unsharded` for the queue as it was with one shard; none with one shard. */
  readonly shard?: string;
}

/** A job that exists already, and its shard. */
export interface JobOnShard {
  readonly jobId: string;
  readonly shard?: number;
}

export class TaskResultQueues {
  readonly shards: readonly TaskResultQueue[];
  /**
   * With several shards, the queue as it was with one (the configured prefix): nothing is added to it, but
   * its jobs are still found, so a job queued before the shards came still answers its status URL.
   */
  private readonly unsharded?: TaskResultQueue;

  constructor(options: TaskResultQueueOptions & { readonly shards?: number }) {
    const prefixes = shardPrefixes(options.prefix, options.shards ?? 1);
    this.shards = prefixes.map((prefix) => new TaskResultQueue({ ...options, prefix }));
    if (prefixes.length > 1) this.unsharded = new TaskResultQueue(options);
  }

  /** The first shard's queue: the only one when there is one shard. */
  get queue(): Queue<TaskResultJobData, TaskResultJobResult> {
    return this.shards[0].queue;
  }

  /** Every queue to watch (Bull Board, metrics): the shards, then the unsharded one when it exists. */
  get watched(): WatchedQueue[] {
    if (this.shards.length === 1) return [{ queue: this.queue as Queue }];
    const shards = this.shards.map((shard, i) => ({ queue: shard.queue as Queue, shard: String(i) }));
    return [...shards, ...(this.unsharded ? [{ queue: this.unsharded.queue as Queue, shard: 'unsharded' }] : [])];
  }

  shardFor(tenantId: string, event: Pick<TaskResultEvent, 'activity_id' | 'provider_activity_id'>): number {
    return shardOf(shardKeyOf(tenantId, event), this.shards.length);
  }

  add(data: TaskResultJobData, jobId: string, { keyed, shard = 0 }: ShardedAddOptions): Promise<void> {
    return this.shards[shard].add(data, jobId, { keyed });
  }

  addAndWait(
    data: TaskResultJobData,
    jobId: string,
    { keyed, shard = 0 }: ShardedAddOptions,
    timeoutMs: number,
  ): Promise<Finished | undefined> {
    return this.shards[shard].addAndWait(data, jobId, { keyed }, timeoutMs);
  }

  wait(jobId: string, timeoutMs: number, shard = 0): Promise<Finished | undefined> {
    return this.shards[shard].wait(jobId, timeoutMs);
  }

  retryFailed(jobId: string, shard = 0): Promise<void> {
    return this.shards[shard].retryFailed(jobId);
  }

  /**
   * IDEMPOTENCY_KEY_REUSED when the key was used for another event. One shard: its job says so (and the add
   * checks again, atomically). Several: the key is bound to the event on the key's own shard, at once.
   */
  async assertKeyFree(tenantId: string, idempotencyKey: string, jobId: string, fingerprint: string): Promise<void> {
    if (this.shards.length === 1) return this.shards[0].assertNotReused(jobId, fingerprint);
    await this.shards[bindingShardOf(tenantId, idempotencyKey, this.shards.length)].claimEventKey(tenantId, idempotencyKey, fingerprint);
  }

  claimBatchKey(tenantId: string, idempotencyKey: string, batchFingerprint: string): Promise<void> {
    return this.shards[bindingShardOf(tenantId, idempotencyKey, this.shards.length)].claimBatchKey(
      tenantId,
      idempotencyKey,
      batchFingerprint,
    );
  }

  /** Each shard's jobs in one round trip to it; the shards at once. */
  async addBulk(jobs: readonly ShardedBulkJob[], options: { keyed: boolean }): Promise<void> {
    await Promise.all([...this.byShard(jobs)].map(([shard, ofShard]) => this.shards[shard].addBulk(ofShard, options)));
  }

  async addBulkAndWait(jobs: readonly ShardedBulkJob[], options: { keyed: boolean }, timeoutMs: number): Promise<Map<string, Finished>> {
    const outcomes = await Promise.all(
      [...this.byShard(jobs)].map(([shard, ofShard]) => this.shards[shard].addBulkAndWait(ofShard, options, timeoutMs)),
    );
    return new Map(outcomes.flatMap((outcome) => [...outcome]));
  }

  async waitMany(jobs: readonly JobOnShard[], timeoutMs: number): Promise<Map<string, Finished>> {
    const outcomes = await Promise.all(
      [...this.byShard(jobs)].map(([shard, ofShard]) =>
        this.shards[shard].waitMany(
          ofShard.map((j) => j.jobId),
          timeoutMs,
        ),
      ),
    );
    return new Map(outcomes.flatMap((outcome) => [...outcome]));
  }

  /** The job with this id, on whichever shard holds it. */
  async getJob(jobId: string): Promise<Job<TaskResultJobData, TaskResultJobResult> | undefined> {
    if (this.shards.length === 1) return this.shards[0].getJob(jobId);
    const found = await Promise.all([...this.shards, ...(this.unsharded ? [this.unsharded] : [])].map((shard) => shard.getJob(jobId)));
    return found.find((job) => job !== undefined);
  }

  /** The job with its state, from whichever shard holds it (TaskResultQueue.getJobWithState). */
  async getJobWithState(jobId: string): Promise<{ job: Job<TaskResultJobData, TaskResultJobResult>; state: JobState } | undefined> {
    if (this.shards.length === 1) return this.shards[0].getJobWithState(jobId);
    const found = await Promise.all(
      [...this.shards, ...(this.unsharded ? [this.unsharded] : [])].map((shard) => shard.getJobWithState(jobId)),
    );
    return found.find((entry) => entry !== undefined);
  }

  /** Resolves once every shard's producer connection is up, or false after `timeoutMs`. */
  async ready(timeoutMs: number): Promise<boolean> {
    return (await Promise.all(this.shards.map((shard) => shard.ready(timeoutMs)))).every(Boolean);
  }

  /** Each shard's answer to a PING on its own connection, in shard order. */
  async pingEach(timeoutMs: number): Promise<boolean[]> {
    return Promise.all(this.shards.map((shard) => within(shard.ping(), timeoutMs)));
  }

  async ping(): Promise<void> {
    await Promise.all(this.shards.map((shard) => shard.ping()));
  }

  async close(): Promise<void> {
    await Promise.all([...this.shards, ...(this.unsharded ? [this.unsharded] : [])].map((shard) => shard.close()));
  }

  private byShard<T extends { readonly shard?: number }>(jobs: readonly T[]): Map<number, T[]> {
    const groups = new Map<number, T[]>();
    for (const job of jobs) {
      const shard = job.shard ?? 0;
      const group = groups.get(shard);
      if (group) group.push(job);
      else groups.set(shard, [job]);
    }
    return groups;
  }
}

async function within(check: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([
      check.then(
        () => true,
        () => false,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
