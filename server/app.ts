// buildApp(deps): the Express application, with no listening and no work at import time.
import express, { type Express } from 'express';
import type { Registry } from 'prom-client';
import type { Sequelize } from 'sequelize';
import type { Config } from '../config';
import type { Logger } from '../config/logger';
import { BOARD_PATH, mountBoard } from './board';
import { createHttpMetrics, registerQueueDepth } from './metrics';
import type { ApiKeyAccess } from './middleware/auth';
import { errorHandler, notFound } from './middleware/errors';
import { httpMetrics, routeBase } from './middleware/http-metrics';
import { requestLog } from './middleware/request-log';
import { apiHeaders } from './middleware/security-headers';
import type { ResultTypeDirectory } from '../models/result-type-directory';
import { activitiesRouter } from './routes/activities';
import { activityResultsRouter } from './routes/activity-results';
import { DOCS_PATH, docsRouter, openApiRouter } from './routes/docs';
import { healthRouter } from './routes/health';
import { resultReadsRouter } from './routes/result-reads';
import { metricsRouter } from './routes/metrics';
import type { TaskResultQueues, WatchedQueue } from './task-result-queues';

export interface AppDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly sequelize: Sequelize;
  readonly taskResults: TaskResultQueues;
  /** API keys, the count of failed attempts per address, and the tenants' rate limits. */
  readonly apiKeys: ApiKeyAccess;
  readonly resultTypes: ResultTypeDirectory;
  readonly clock: () => Date;
  /** Every queue, for Bull Board and the queue-depth metric: one entry per queue. */
  readonly queues: readonly WatchedQueue[];
  /** The process's metrics registry, made by the composition root; buildApp adds its metrics to it. */
  readonly registry: Registry;
}

export function buildApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false); // API answers are not cached: no hashing every body
  app.set('trust proxy', false);
  app.use(requestLog(deps.logger));
  app.use(httpMetrics(createHttpMetrics(deps.registry)));
  registerQueueDepth(deps.registry, deps.queues);
  app.use(['/api', '/healthz', '/readyz'], apiHeaders);
  // The API first: its requests are the many, and need not be offered to the routers below.
  app.use('/api/activity-results', routeBase('/api/activity-results'), activityResultsRouter(deps), resultReadsRouter(deps));
  app.use('/api/activities', routeBase('/api/activities'), activitiesRouter(deps));
  app.use(healthRouter(deps));
  app.use(metricsRouter(deps.registry, deps.config.metricsToken));
  app.use(openApiRouter());
  app.use(DOCS_PATH, routeBase(DOCS_PATH), docsRouter());
  app.use(BOARD_PATH, routeBase(BOARD_PATH));
  mountBoard(app, { queues: deps.queues, config: deps.config, logger: deps.logger, failures: deps.apiKeys.failures });
  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}
