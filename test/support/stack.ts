// The service as a test runs it: the real web app on an ephemeral port and real BullMQ workers, against
// the test database and Redis, under a queue prefix of this test's own. close() removes the prefix's keys.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Sequelize } from 'sequelize';
import pino from 'pino';
import type { Logger } from '../../config/logger';
import type { RedisClient } from '../../config/redis';
import { Registry } from 'prom-client';
import { deleteKeys as deleteMatchingKeys } from '../../harness/stores';
import { startWeb, type HttpTimeouts, type Web } from '../../server/web';
import { createJobMetrics, type JobMetrics } from '../../workers/job-metrics';
import { workerConnection } from '../../workers/redis';
import { shardPrefixes } from '../../domain/queue-shards';
import { startWorkers, type RunningWorkers } from '../../workers/start-workers';
import { sequelize } from './db';
import { REDIS_URL, testConfig } from './env';
import { createTenant, type TestTenant } from './fixtures';

export interface StackOptions {
  readonly syncWaitMs?: number;
  readonly workers?: boolean;
  readonly redisUrl?: string;
  readonly prefix?: string;
  readonly followUpReconcileEveryMs?: number;
  /** Extra environment for the web's config, e.g. the Bull Board login. */
  readonly env?: Record<string, string>;
  /** The web's database; the test database unless a test points it elsewhere. */
  readonly sequelize?: Sequelize;
  readonly httpTimeouts?: Partial<HttpTimeouts>;
  /** The web's logger; silent unless a test reads what it logs. */
  readonly logger?: Logger;
}

export interface Stack {
  readonly baseUrl: string;
  readonly prefix: string;
  readonly web: Web;
  /** Shared by the web and the workers, as in `npm run dev`. */
  readonly registry: Registry;
  workers?: RunningWorkers;
  startWorkers(): void;
  stopWorkers(): Promise<void>;
  close(): Promise<void>;
}

export const silentLogger = pino({ level: 'silent' });

export function uniquePrefix(): string {
  return `test-${randomBytes(4).toString('hex')}`;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const prefix = options.prefix ?? uniquePrefix();
  const config = testConfig({
    QUEUE_PREFIX: prefix,
    SYNC_WAIT_MS: String(options.syncWaitMs ?? 5000),
    REDIS_URL: options.redisUrl ?? REDIS_URL,
    ...options.env,
  });
  const registry = new Registry();
  const web = await startWeb(config, options.logger ?? silentLogger, {
    sequelize: options.sequelize ?? sequelize(),
    registry,
    retryDelayMs: 50,
    apiKeyFreshMs: 200,
    resultTypeFreshMs: 200,
    httpTimeouts: options.httpTimeouts,
  });
  let jobMetrics: JobMetrics | undefined;
  let connection: RedisClient | undefined;
  const stack: Stack = {
    baseUrl: `http://127.0.0.1:${(web.server.address() as AddressInfo).port}`,
    prefix,
    web,
    registry,
    startWorkers() {
      // The workers' own Redis is the real one even when the web's goes through a proxy a test cuts.
      const workerRedis = (connection = workerConnection(config.redis.clusterNodes ? config.redis : REDIS_URL));
      stack.workers = startWorkers({
        sequelize: sequelize(),
        connection: workerRedis,
        prefix,
        queueShards: config.queueShards,
        shardLeaseMs: config.shardLeaseMs,
        concurrency: 8,
        maxClockSkewMs: config.maxClockSkewMs,
        logger: silentLogger,
        followUpReconcileEveryMs: options.followUpReconcileEveryMs,
        metrics: (jobMetrics ??= createJobMetrics(registry)),
      });
    },
    async stopWorkers() {
      await stack.workers?.close();
      stack.workers = undefined;
      connection?.disconnect();
    },
    async close() {
      await stack.stopWorkers();
      await web.close();
      const redis = config.redis.clusterNodes ? config.redis : REDIS_URL;
      for (const keys of new Set([prefix, ...shardPrefixes(prefix, config.queueShards)])) await deleteMatchingKeys(redis, `${keys}:*`);
    },
  };
  if (options.workers !== false) stack.startWorkers();
  return stack;
}

/** A stack and a tenant whose key may do everything: what most tests start from, in their beforeEach. */
export async function startStackWithTenant(options: StackOptions = {}): Promise<{ stack: Stack; tenant: TestTenant }> {
  const stack = await startStack(options);
  try {
    return { stack, tenant: await createTenant() };
  } catch (error) {
    await stack.close();
    throw error;
  }
}

/** Deletes the Redis keys matching a pattern, as a restart without persistence would. */
export function deleteKeys(pattern: string): Promise<void> {
  return deleteMatchingKeys(REDIS_URL, pattern);
}
