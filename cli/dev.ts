// `npm run dev`: migrations, then web and worker in one process, for local use.
import 'reflect-metadata';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { loadConfigOrExit } from '../config';
import { createLogger } from '../config/logger';
import { onShutdown } from '../config/shutdown';
import { createSequelize } from '../models';
import { migrate } from '../models/migrate';
import { startWeb } from '../server/web';
import { createJobMetrics } from '../workers/job-metrics';
import { startConfiguredWorkers, WORKER_POOL_SIZE } from '../workers/start-workers';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config, 'dev');
  await migrate(config.databaseUrl, (message) => logger.info(message));
  // The web's pool and the worker's, in one.
  const sequelize = createSequelize(config.databaseUrl, { poolMax: WORKER_POOL_SIZE + 10 });
  // One registry for both halves: the web's /metrics shows the job outcomes too.
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const workers = startConfiguredWorkers(config, { sequelize, logger, metrics: createJobMetrics(registry) });
  const web = await startWeb(config, logger, { sequelize, registry });
  logger.info(
    { port: config.port },
    `listening on http://localhost:${config.port}; create a key with: npm run admin -- tenant:create --name Demo`,
  );
  onShutdown(logger, async () => {
    await web.close();
    await workers.close();
    await sequelize.close();
  });
}

main().catch((error: Error) => {
  process.stderr.write(`dev failed to start: ${error.message}\n`);
  process.exit(1);
});
