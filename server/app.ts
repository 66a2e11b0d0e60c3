// buildApp(deps): the Express application, with no listening and no work at import time.
import express, { type Express } from 'express';
import type { Sequelize } from 'sequelize';
import type { Config } from '../config';
import type { Logger } from '../config/logger';
import type { ApiKeyDirectory } from './api-key-directory';
import { errorHandler, notFound } from './middleware/errors';
import { requestLog } from './middleware/request-log';
import type { ResultTypeDirectory } from '../models/result-type-directory';
import { activitiesRouter } from './routes/activities';
import { activityResultsRouter } from './routes/activity-results';
import { healthRouter } from './routes/health';
import type { TaskResultQueue } from './task-result-queue';

export interface AppDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly sequelize: Sequelize;
  readonly taskResults: TaskResultQueue;
  readonly apiKeys: ApiKeyDirectory;
  readonly resultTypes: ResultTypeDirectory;
  readonly clock: () => Date;
}

export function buildApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(requestLog(deps.logger));
  app.use(healthRouter(deps));
  app.use('/api/activity-results', activityResultsRouter(deps));
  app.use('/api/activities', activitiesRouter(deps));
  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}
