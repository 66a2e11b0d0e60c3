// Composition root of the web process (`npm start`).
import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { loadConfigOrExit } from '../config';
import { createLogger } from '../config/logger';
import { onShutdown } from '../config/shutdown';
import { startWeb } from './web';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config, 'web');
  const web = await startWeb(config, logger);
  logger.info({ port: (web.server.address() as AddressInfo).port, prefix: config.queuePrefix }, 'web listening');
  onShutdown(logger, () => web.close());
}

main().catch((error: Error) => {
  process.stderr.write(`web failed to start: ${error.message}\n`);
  process.exit(1);
});
