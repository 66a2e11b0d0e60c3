// The rate limiters' own Redis connection. Like the producer's it fails fast (no offline queue, a short
// command timeout): with Redis gone or stuck, a limiter falls back to its in-memory insurance limiter
// within a moment instead of holding the request.
import type { Logger } from '../config/logger';
import { openRedis, type RedisClient, type RedisTarget } from '../config/redis';
import { logRedisErrors } from './redis-errors';

export function openRateLimitRedis(where: RedisTarget | string, logger: Logger): RedisClient {
  const redis = openRedis(where, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 1_000, commandTimeout: 250 });
  logRedisErrors(redis, logger, 'rate-limits'); // the limiters fall back to memory meanwhile
  return redis;
}

/** Resolves once connected, or false after `timeoutMs` (the limiters count in memory until then). */
export function connected(redis: RedisClient, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
