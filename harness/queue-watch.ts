// The queue counts that tell a run when the workers have caught up, and why jobs failed.
import { Queue } from 'bullmq';
import { openRedis, type RedisClient, type RedisTarget } from '../config/redis';

export class QueueWatch {
  private readonly queues: Queue[];
  private readonly connection: RedisClient;

  /** One queue, or its shards: several prefixes are counted together. */
  constructor(name: string, prefix: string | readonly string[], redis: RedisTarget | string) {
    this.connection = openRedis(redis);
    this.queues = (typeof prefix === 'string' ? [prefix] : prefix).map((p) => new Queue(name, { connection: this.connection, prefix: p }));
  }

  /** Jobs not yet finished: waiting, running, or delayed for a retry. */
  async pending(): Promise<number> {
    const counts = await Promise.all(
      this.queues.map((queue) => queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children')),
    );
    return counts.flatMap((c) => Object.values(c)).reduce((sum, n) => sum + n, 0);
  }

  async failed(): Promise<number> {
    const counts = await Promise.all(this.queues.map((queue) => queue.getJobCounts('failed')));
    return counts.reduce((sum, c) => sum + (c.failed ?? 0), 0);
  }

  /** Every failed job's id with its failure reason. */
  async failedReasons(): Promise<Map<string, string>> {
    const jobs = (await Promise.all(this.queues.map((queue) => queue.getFailed(0, -1)))).flat();
    return new Map(jobs.filter((job) => job?.id !== undefined).map((job) => [job.id!, job.failedReason]));
  }

  /** Polls until no job is pending; returns when that was first seen, or undefined after timeoutMs. */
  async waitEmpty(timeoutMs: number, pollMs = 100): Promise<number | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if ((await this.pending()) === 0) return Date.now();
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    return undefined;
  }

  async close(): Promise<void> {
    await Promise.all(this.queues.map((queue) => queue.close()));
    this.connection.disconnect();
  }
}
