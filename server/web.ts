// Builds the web process's collaborators from a Config; used by server/index.ts and by tests.
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import type { Sequelize } from 'sequelize';
import type { Config } from '../config';
import type { Logger } from '../config/logger';
import { ResultTypeDirectory } from '../models/result-type-directory';
import { ApiKeyDirectory } from './api-key-directory';
import { buildApp } from './app';
import { FailedAuthGuard } from './failed-auth-guard';
import { openFollowUpQueue } from './board-follow-up-queue';
import { connected, openRateLimitRedis } from './rate-limit-redis';
import { TaskResultQueues } from './task-result-queues';
import { TenantRateLimiter } from './tenant-rate-limiter';

export interface Web {
  readonly server: Server;
  readonly taskResults: TaskResultQueues;
  close(): Promise<void>;
}

/**
 * Limits no real client meets and a slow one (a "slowloris" holding connections open) does. Node checks
 * them only every `checkEveryMs`, so that interval bounds how late a connection is cut.
 */
export interface HttpTimeouts {
  /** From a request's first byte to the end of its headers. */
  readonly headersMs: number;
  /** From a request's first byte to the end of its body. */
  readonly requestMs: number;
  readonly checkEveryMs: number;
}

export const HTTP_TIMEOUTS: HttpTimeouts = { headersMs: 10_000, requestMs: 30_000, checkEveryMs: 1_000 };

export interface WebOptions {
  /** The process's one Sequelize instance (the models are bound to it); the caller closes it. */
  readonly sequelize: Sequelize;
  /** The process's metrics registry; the web adds HTTP and queue-depth metrics to it. */
  readonly registry: Registry;
  readonly retryDelayMs?: number;
  readonly apiKeyFreshMs?: number;
  readonly resultTypeFreshMs?: number;
  readonly httpTimeouts?: Partial<HttpTimeouts>;
}

export async function startWeb(config: Config, logger: Logger, options: WebOptions): Promise<Web> {
  const { sequelize, registry } = options;
  const taskResults = new TaskResultQueues({
    redis: config.redis,
    prefix: config.queuePrefix,
    shards: config.queueShards,
    replicaAcks: config.redisWait,
    retryDelayMs: options.retryDelayMs,
    logger,
  });
  // The web only watches the follow-ups queue (Bull Board, queue depth); the worker feeds and drains it.
  const followUps = openFollowUpQueue({ redis: config.redis, prefix: config.queuePrefix, logger });
  const rateLimitRedis = openRateLimitRedis(config.redis, logger);
  const [queueReady] = await Promise.all([taskResults.ready(3_000), connected(rateLimitRedis, 3_000)]);
  if (!queueReady) logger.warn('Redis is not reachable yet: events are refused with 503 until it is');
  if (config.rateLimit.rps === 0 || config.rateLimit.burst === 0)
    logger.info('no default rate limit: only tenants with their own limit are limited');
  const app = buildApp({
    config,
    logger,
    sequelize,
    taskResults,
    apiKeys: {
      directory: new ApiKeyDirectory({ freshMs: options.apiKeyFreshMs }),
      failures: new FailedAuthGuard(rateLimitRedis, config.queuePrefix),
      limiter: new TenantRateLimiter(rateLimitRedis, config.queuePrefix, config.rateLimit),
    },
    resultTypes: new ResultTypeDirectory({ freshMs: options.resultTypeFreshMs }),
    clock: () => new Date(),
    queues: [...taskResults.watched, { queue: followUps.queue }],
    registry,
  });
  const timeouts = { ...HTTP_TIMEOUTS, ...options.httpTimeouts };
  const server = createServer(
    {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      connectionsCheckingInterval: timeouts.checkEveryMs,
    },
    app,
  );
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => server.listen(config.port, resolve).once('error', reject));
  return {
    server,
    taskResults,
    async close() {
      // Stop accepting, let in-flight requests finish, then close what they used.
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // A keep-alive connection stays open after answering its request (for keepAliveTimeout, far past
        // the grace period): close each one as soon as it goes idle.
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        server.once('close', () => clearInterval(sweep));
        server.closeIdleConnections();
      });
      await Promise.allSettled([taskResults.close(), followUps.close()]);
      rateLimitRedis.disconnect();
    },
  };
}
