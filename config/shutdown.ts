import type { Logger } from './logger';

const GRACE_MS = 25_000;

/** On SIGTERM/SIGINT run `close` once, bounded by a grace period; a second signal exits at once. */
export function onShutdown(logger: Logger, close: () => Promise<void>, graceMs = GRACE_MS): void {
  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) {
      logger.warn({ signal }, 'second signal, exiting now');
      process.exit(1);
    }
    closing = true;
    logger.info({ signal, graceMs }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error('grace period over, exiting with work unfinished');
      process.exit(1);
    }, graceMs);
    deadline.unref();
    close().then(
      () => {
        logger.info('shut down cleanly');
        process.exit(0);
      },
      (error: Error) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}
