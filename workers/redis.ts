import { openRedis, type RedisClient, type RedisTarget } from '../config/redis';

/**
 * Workers wait out a Redis restart instead of failing commands: BullMQ requires this. A committed batch
 * finishes its jobs in one write.
 */
export function workerConnection(redis: RedisTarget | string): RedisClient {
  return openRedis(redis, { maxRetriesPerRequest: null, enableReadyCheck: true, writePerTurn: true });
}
