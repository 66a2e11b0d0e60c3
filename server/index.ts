// Composition root of the web process (`npm start`).
import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { loadConfigOrExit } from '../config';
import { createLogger } from '../config/logger';
import { warnUnlessRedisPersists } from '../config/redis-persistence';
import { onShutdown } from '../config/shutdown';
import { createSequelize } from '../models';
import { startWeb } from './web';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config, 'web');
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const sequelize = createSequelize(config.databaseUrl, { poolMax: 10 });
  const web = await startWeb(config, logger, { sequelize, registry });
  logger.info({ port: (web.server.address() as AddressInfo).port, prefix: config.queuePrefix }, 'web listening');
  void warnUnlessRedisPersists(config.redis, logger);
  onShutdown(logger, async () => {
    await web.close();
    await sequelize.close();
  });
}

main().catch((error: Error) => {
  process.stderr.write(`web failed to start: ${error.message}\n`);
  process.exit(1);
});
