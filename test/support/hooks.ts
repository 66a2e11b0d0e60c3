// Mocha root hooks and global fixtures. Every test process (the only one, or each worker of a parallel
// run, which runs the root hooks once per file) migrates a database of its own the first time, gives each
// test empty tables, and checks after each file that no test left a socket open. The process that started
// the run drops the run's databases at the end.
import 'reflect-metadata';
import { adminUrlOf, dropDatabase, withAdmin } from '../../harness/stores';
import { createSequelize } from '../../models';
import { migrate } from '../../models/migrate';
import { RUN_DATABASE_PREFIX, TEST_DATABASE_URL } from './env';
import { sequelize, setDatabase } from './db';

const TABLES = [
  'follow_ups',
  'activity_result_events',
  'activity_results',
  'activities',
  'commerces',
  'task_result_types',
  'api_keys',
  'tenants',
];

const ADMIN_URL = adminUrlOf(TEST_DATABASE_URL);

let migrated = false;

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(60_000);
    if (!migrated) {
      await dropDatabase(ADMIN_URL, new URL(TEST_DATABASE_URL).pathname.slice(1));
      await migrate(TEST_DATABASE_URL);
      migrated = true;
    }
    setDatabase(createSequelize(TEST_DATABASE_URL, { poolMax: 20 }));
  },

  async beforeEach() {
    await sequelize().query(`TRUNCATE ${TABLES.join(', ')} RESTART IDENTITY CASCADE`);
  },

  async afterAll() {
    await sequelize().close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const open = process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap');
    if (open.length > 0) throw new Error(`tests left ${open.length} socket(s) open: ${open.join(', ')}`);
  },
};

export async function mochaGlobalTeardown(): Promise<void> {
  const { rows } = await withAdmin(ADMIN_URL, (admin) =>
    admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [RUN_DATABASE_PREFIX]),
  );
  for (const { datname } of rows) await dropDatabase(ADMIN_URL, datname);
}
