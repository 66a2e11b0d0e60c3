// Test configuration: the same variables as production, pointed at a database of the tests' own.
import { loadConfig, type Config } from '../../config';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://127.0.0.1:5432/activity_results_test';
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
