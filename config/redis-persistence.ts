// An event the API answered 202 lives only in Redis until a worker applies it. A Redis that restarts
// without an append-only file, or evicts keys when memory runs short, loses such events silently. The
// web and worker processes check at start and warn; they do not refuse to run, because a managed Redis
// may forbid CONFIG and persist by other means.
import type { Redis } from 'ioredis';
import type { Logger } from './logger';
import { openEachNode, redisTarget, type RedisTarget } from './redis';

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

async function readSettings(redis: Redis): Promise<RedisPersistenceSettings> {
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

/**
 * Logs a warning for each setting that puts acknowledged events at risk; never throws. On a cluster each
 * seed node is asked, and its warnings name it.
 */
export async function warnUnlessRedisPersists(where: RedisTarget | string, logger: Logger): Promise<void> {
  const target = redisTarget(where);
  // Their own short-lived connections: one try, no reconnecting, so a dead Redis only delays the warning.
  const nodes = openEachNode(target, { lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  await Promise.all(
    nodes.map(async (node) => {
      const name = target.clusterNodes ? `Redis node ${node.options.host}:${node.options.port}` : 'Redis';
      try {
        for (const problem of persistenceProblems(await readSettings(node))) logger.warn(`${name} ${problem}`);
      } catch (error) {
        logger.warn(
          { err: error },
          `could not read the ${name} persistence settings (CONFIG may be disabled): make sure Redis runs with appendonly yes and maxmemory-policy noeviction`,
        );
      }
    }),
  );
}
