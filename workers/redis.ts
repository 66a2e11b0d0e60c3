import { Redis } from 'ioredis';

/** Workers wait out a Redis restart instead of failing commands: BullMQ requires this. */
export function workerConnection(redisUrl: string): Redis {
  return new Redis(redisUrl, { maxRetriesPerRequest: null, enableReadyCheck: true });
}
