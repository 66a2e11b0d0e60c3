// Test configuration: the same variables as production, pointed at a database of the tests' own. Each
// test process (each worker of a parallel run) has its own database, named after TEST_DATABASE_URL's
// with the run's id and the worker's; the root hooks make it and drop it. Two runs on one machine, or
// two workers of one run, never share one. See docs/testing.md.
import { randomBytes } from 'node:crypto';
import { loadConfig, type Config } from '../../config';

// Set once by the first process of a run; mocha's parallel workers inherit it.
process.env.TEST_RUN_ID ??= randomBytes(3).toString('hex');

const BASE_DATABASE_URL = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://127.0.0.1:5432/activity_results_test');

/** The name every database of this run starts with. */
export const RUN_DATABASE_PREFIX = `${BASE_DATABASE_URL.pathname.slice(1)}_${process.env.TEST_RUN_ID}_`;

function ownDatabase(): string {
  const url = new URL(BASE_DATABASE_URL);
  url.pathname = `/${RUN_DATABASE_PREFIX}${process.env.MOCHA_WORKER_ID ?? 'main'}`;
  return url.toString();
}

export const TEST_DATABASE_URL = ownDatabase();
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL,
    PORT: '0',
    LOG_LEVEL: 'silent',
    SYNC_WAIT_MS: '5000',
    WORKER_CONCURRENCY: '8',
    NODE_ENV: 'test',
    ...overrides,
  });
}
