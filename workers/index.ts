// Composition root of the worker process (`npm run worker`).
import 'reflect-metadata';
import { loadConfigOrExit } from '../config';
import { createLogger } from '../config/logger';
import { createSequelize } from '../models';
import { warnUnlessRedisPersists } from '../config/redis-persistence';
import { onShutdown } from '../config/shutdown';
import { workerConnection } from './redis';
import { startWorkers } from './start-workers';

const config = loadConfigOrExit();
const logger = createLogger(config, 'worker');
const sequelize = createSequelize(config.databaseUrl, { poolMax: config.workerConcurrency + 2 });
const connection = workerConnection(config.redisUrl);
const running = startWorkers({
  sequelize,
  connection,
  prefix: config.queuePrefix,
  concurrency: config.workerConcurrency,
  maxClockSkewMs: config.maxClockSkewMs,
  logger,
});
logger.info({ concurrency: config.workerConcurrency, prefix: config.queuePrefix }, 'worker started');
void warnUnlessRedisPersists(config.redisUrl, logger);

onShutdown(logger, async () => {
  await running.close(); // lets active jobs finish
  await sequelize.close();
  connection.disconnect();
});
