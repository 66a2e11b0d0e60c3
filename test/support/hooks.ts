// Mocha root hooks and global fixtures. Every test process (the only one, or each worker of a parallel
// run, which runs the root hooks once per file) migrates a database of its own the first time, gives each
// test empty tables, and checks after each file that no test left a socket open. The process that started
// the run drops the run's databases at the end.
import 'reflect-metadata';
import { Sequelize } from 'sequelize';
import { createSequelize } from '../../models';
import { withDefaultUser } from '../../models/database-url';
import { migrate } from '../../models/migrate';
import { RUN_DATABASE_PREFIX, TEST_DATABASE_URL } from './env';
import { sequelize, setDatabase } from './db';

const TABLES = ['follow_ups', 'activity_result_events', 'activity_results', 'activities', 'commerces', 'task_result_types', 'api_keys', 'tenants'];

/** Runs `work` on a connection to the server's `postgres` database. */
async function onServer<T>(work: (admin: Sequelize) => Promise<T>): Promise<T> {
  const url = new URL(withDefaultUser(TEST_DATABASE_URL));
  url.pathname = '/postgres';
  const admin = new Sequelize(url.toString(), { dialect: 'postgres', logging: false });
  try {
    return await work(admin);
  } finally {
    await admin.close();
  }
}

let migrated = false;

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(60_000);
    if (!migrated) {
      await onServer((admin) => admin.query(`DROP DATABASE IF EXISTS "${new URL(TEST_DATABASE_URL).pathname.slice(1)}" WITH (FORCE)`));
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
  await onServer(async (admin) => {
    const [rows] = await admin.query(`SELECT datname FROM pg_database WHERE starts_with(datname, $prefix)`, { bind: { prefix: RUN_DATABASE_PREFIX } });
    for (const { datname } of rows as Array<{ datname: string }>) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  });
}
