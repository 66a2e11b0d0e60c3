// Composition root of the worker process (`npm run worker`).
import 'reflect-metadata';
import type { Server } from 'node:http';
import os from 'node:os';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { loadConfigOrExit } from '../config';
import { createLogger, type Logger } from '../config/logger';
import { createSequelize } from '../models';
import { warnUnlessRedisPersists } from '../config/redis-persistence';
import { onShutdown } from '../config/shutdown';
import { createJobMetrics } from './job-metrics';
import { serveMetrics } from './metrics-server';
import { startConfiguredWorkers, WORKER_POOL_SIZE } from './start-workers';

/**
 * Lowers the process's CPU priority to `nice` (never raises it, which needs privileges). Where the web
 * shares the machine, a burst of requests is then answered first and applied as the web leaves CPU free:
 * the queue holds the backlog meanwhile.
 */
function yieldToWeb(nice: number, logger: Logger): void {
  try {
    if (os.getPriority() < nice) os.setPriority(nice);
  } catch (error) {
    logger.warn({ err: error, nice }, 'could not lower the worker priority');
  }
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config, 'worker');
  yieldToWeb(config.workerNice, logger);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const sequelize = createSequelize(config.databaseUrl, { poolMax: WORKER_POOL_SIZE });
  const running = startConfiguredWorkers(config, { sequelize, logger, metrics: createJobMetrics(registry) });
  let metricsServer: Server | undefined;
  onShutdown(logger, async () => {
    await running.close(); // lets active jobs finish
    metricsServer?.close();
    await sequelize.close();
  });
  if (config.workerMetricsPort === undefined) {
    logger.info('worker metrics are not served: set WORKER_METRICS_PORT to serve GET /metrics');
  } else {
    metricsServer = await serveMetrics(registry, config.workerMetricsPort, config.metricsToken);
    logger.info({ port: config.workerMetricsPort }, 'worker metrics at GET /metrics');
  }
  logger.info({ concurrency: config.workerConcurrency, prefix: config.queuePrefix, nice: os.getPriority() }, 'worker started');
  void warnUnlessRedisPersists(config.redis, logger);
}

main().catch((error: Error) => {
  process.stderr.write(`worker failed to start: ${error.message}\n`);
  process.exit(1);
});
