import { openRedis, type RedisClient, type RedisTarget } from '../config/redis';

/** Workers wait out a Redis restart instead of failing commands: BullMQ requires this. */
export function workerConnection(redis: RedisTarget | string): RedisClient {
  return openRedis(redis, { maxRetriesPerRequest: null, enableReadyCheck: true });
}
