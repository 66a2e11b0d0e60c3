// The queue counts that tell a run when the workers have caught up, and why jobs failed.
import { Queue } from 'bullmq';
import { openRedis, type RedisClient, type RedisTarget } from '../config/redis';

export class QueueWatch {
  private readonly queue: Queue;
  private readonly connection: RedisClient;

  constructor(name: string, prefix: string, redis: RedisTarget | string) {
    this.connection = openRedis(redis);
    this.queue = new Queue(name, { connection: this.connection, prefix });
  }

  /** Jobs not yet finished: waiting, running, or delayed for a retry. */
  async pending(): Promise<number> {
    const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
    return Object.values(counts).reduce((sum, n) => sum + n, 0);
  }

  async failed(): Promise<number> {
    return (await this.queue.getJobCounts('failed')).failed ?? 0;
  }

  /** Every failed job's id with its failure reason. */
  async failedReasons(): Promise<Map<string, string>> {
    const jobs = await this.queue.getFailed(0, -1);
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
    await this.queue.close();
    this.connection.disconnect();
  }
}
