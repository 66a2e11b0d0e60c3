// An event the API answered 202 lives only in Redis until a worker applies it. A Redis that restarts
// without an append-only file, or evicts keys when memory runs short, loses such events silently. The
// web and worker processes check at start and warn; they do not refuse to run, because a managed Redis
// may forbid CONFIG and persist by other means.
import { Redis } from 'ioredis';
import type { Logger } from './logger';

export interface RedisPersistenceSettings {
  readonly appendonly?: string;
  readonly maxmemoryPolicy?: string;
}

/** What is wrong with these settings for a Redis that holds acknowledged events; empty when nothing. */
export function persistenceProblems(settings: RedisPersistenceSettings): string[] {
  const problems: string[] = [];
  if (settings.appendonly !== 'yes') {
    problems.push(`appendonly is ${settings.appendonly ?? 'unknown'}: queued events are lost when Redis restarts (set appendonly yes)`);
  }
  if (settings.maxmemoryPolicy !== 'noeviction') {
    problems.push(
      `maxmemory-policy is ${settings.maxmemoryPolicy ?? 'unknown'}: Redis may evict queued events (set maxmemory-policy noeviction)`,
    );
  }
  return problems;
}

async function readSettings(redisUrl: string): Promise<RedisPersistenceSettings> {
  // Its own short-lived connection: one try, no reconnecting, so a dead Redis only delays the warning.
  const redis = new Redis(redisUrl, { lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    const [, appendonly] = (await redis.config('GET', 'appendonly')) as string[];
    const [, maxmemoryPolicy] = (await redis.config('GET', 'maxmemory-policy')) as string[];
    return { appendonly, maxmemoryPolicy };
  } finally {
    redis.disconnect();
  }
}

/** Logs a warning for each setting that puts acknowledged events at risk; never throws. */
export async function warnUnlessRedisPersists(redisUrl: string, logger: Logger): Promise<void> {
  try {
    for (const problem of persistenceProblems(await readSettings(redisUrl))) logger.warn(`Redis ${problem}`);
  } catch (error) {
    logger.warn(
      { err: error },
      'could not read the Redis persistence settings (CONFIG may be disabled): make sure Redis runs with appendonly yes and maxmemory-policy noeviction',
    );
  }
}
