// The follow-ups queue as the web process sees it: Bull Board lists it (delayed jobs show their due time
// and a name with the tenant, commerce and due time). Only the worker process adds follow-up jobs.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUES } from '../domain/jobs';

export interface FollowUpQueueHandle {
  readonly queue: Queue;
  close(): Promise<void>;
}

export function openFollowUpQueue(options: { redisUrl: string; prefix: string }): FollowUpQueueHandle {
  // Fails fast like the producer's connection, so a board page never hangs on a dead Redis.
  const connection = new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 1_000 });
  connection.on('error', () => {}); // /readyz reports Redis
  const queue = new Queue(QUEUES.followUps, { connection, prefix: options.prefix });
  queue.on('error', () => {});
  return {
    queue,
    async close() {
      await queue.close().catch(() => {});
      connection.disconnect();
    },
  };
}
