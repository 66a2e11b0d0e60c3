// Mocha root hooks: a freshly migrated test database for the run, empty tables for every test, and a
// check at the end that no test left a socket open.
import 'reflect-metadata';
import { Sequelize } from 'sequelize';
import { createSequelize } from '../../models';
import { withDefaultUser } from '../../models/database-url';
import { migrate } from '../../models/migrate';
import { TEST_DATABASE_URL } from './env';
import { setDatabase } from './db';

const TABLES = ['follow_ups', 'activity_result_events', 'activity_results', 'activities', 'commerces', 'task_result_types', 'api_keys', 'tenants'];

async function recreateDatabase(): Promise<void> {
  const url = new URL(withDefaultUser(TEST_DATABASE_URL));
  const name = url.pathname.slice(1);
  url.pathname = '/postgres';
  const admin = new Sequelize(url.toString(), { dialect: 'postgres', logging: false });
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.close();
  }
}

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(60_000);
    await recreateDatabase();
    await migrate(TEST_DATABASE_URL);
    setDatabase(createSequelize(TEST_DATABASE_URL, { poolMax: 20 }));
  },

  async beforeEach() {
    const { sequelize } = await import('./db');
    await sequelize().query(`TRUNCATE ${TABLES.join(', ')} RESTART IDENTITY CASCADE`);
  },

  async afterAll() {
    const { sequelize } = await import('./db');
    await sequelize().close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const open = process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap');
    if (open.length > 0) throw new Error(`tests left ${open.length} socket(s) open: ${open.join(', ')}`);
  },
};
