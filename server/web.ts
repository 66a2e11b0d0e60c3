// Builds the web process's collaborators from a Config; used by server/index.ts and by tests.
import type { Server } from 'node:http';
import type { Config } from '../config';
import type { Logger } from '../config/logger';
import type { Sequelize } from 'sequelize';
import { ApiKeyDirectory } from './api-key-directory';
import { buildApp } from './app';
import { ResultTypeDirectory } from '../models/result-type-directory';
import { TaskResultQueue } from './task-result-queue';

export interface Web {
  readonly server: Server;
  readonly taskResults: TaskResultQueue;
  close(): Promise<void>;
}

export interface WebOptions {
  /** The process's one Sequelize instance (the models are bound to it); the caller closes it. */
  readonly sequelize: Sequelize;
  readonly retryDelayMs?: number;
  readonly apiKeyFreshMs?: number;
}

export async function startWeb(config: Config, logger: Logger, options: WebOptions): Promise<Web> {
  const { sequelize } = options;
  const taskResults = new TaskResultQueue({ redisUrl: config.redisUrl, prefix: config.queuePrefix, retryDelayMs: options.retryDelayMs });
  if (!(await taskResults.ready(3_000))) logger.warn('Redis is not reachable yet: events are refused with 503 until it is');
  const app = buildApp({
    config,
    logger,
    sequelize,
    taskResults,
    apiKeys: new ApiKeyDirectory({ freshMs: options.apiKeyFreshMs }),
    resultTypes: new ResultTypeDirectory(),
    clock: () => new Date(),
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.port, () => resolve(s)).once('error', reject);
  });
  server.keepAliveTimeout = 65_000;
  return {
    server,
    taskResults,
    async close() {
      // Stop accepting, let in-flight requests finish, then close what they used.
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await taskResults.close();
    },
  };
}
