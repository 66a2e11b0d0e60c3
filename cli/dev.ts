// `npm run dev`: migrations, then web and worker in one process, for local use.
import 'reflect-metadata';
import { loadConfigOrExit } from '../config';
import { createLogger } from '../config/logger';
import { onShutdown } from '../config/shutdown';
import { createSequelize } from '../models';
import { migrate } from '../models/migrate';
import { startWeb } from '../server/web';
import { workerConnection } from '../workers/redis';
import { startWorkers } from '../workers/start-workers';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config, 'dev');
  await migrate(config.databaseUrl, (message) => logger.info(message));
  const sequelize = createSequelize(config.databaseUrl, { poolMax: config.workerConcurrency + 2 });
  const connection = workerConnection(config.redisUrl);
  const workers = startWorkers({
    sequelize,
    connection,
    prefix: config.queuePrefix,
    concurrency: config.workerConcurrency,
    maxClockSkewMs: config.maxClockSkewMs,
    logger,
  });
  const web = await startWeb(config, logger, { sequelize });
  logger.info({ port: config.port }, `listening on http://localhost:${config.port}; create a key with: npm run admin -- tenant:create --name Demo`);
  onShutdown(logger, async () => {
    await web.close();
    await workers.close();
    await sequelize.close();
    connection.disconnect();
  });
}

main().catch((error: Error) => {
  process.stderr.write(`dev failed to start: ${error.message}\n`);
  process.exit(1);
});
