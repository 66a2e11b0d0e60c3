// The follow-ups queue as the web process sees it: Bull Board lists it (delayed jobs show their due time,
// and board-job-view.ts names them by tenant, commerce and due time). Only the worker process adds them.
import { Queue } from 'bullmq';
import type { Logger } from '../config/logger';
import { openRedis, type RedisTarget } from '../config/redis';
import { QUEUES } from '../domain/jobs';
import { logRedisErrors } from './redis-errors';

export interface FollowUpQueueHandle {
  readonly queue: Queue;
  close(): Promise<void>;
}

export function openFollowUpQueue(options: { redis: RedisTarget | string; prefix: string; logger: Logger }): FollowUpQueueHandle {
  // Fails fast like the producer's connection, so a board page never hangs on a dead Redis.
  const connection = openRedis(options.redis, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 1_000 });
  logRedisErrors(connection, options.logger, 'follow-ups-queue');
  const queue = new Queue(QUEUES.followUps, { connection, prefix: options.prefix });
  queue.on('error', () => {}); // the connection's own errors, logged above
  return {
    queue,
    async close() {
      await queue.close().catch(() => {});
      connection.disconnect();
    },
  };
}
