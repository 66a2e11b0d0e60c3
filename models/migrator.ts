import path from 'node:path';
import { Sequelize } from 'sequelize';
import { SequelizeStorage, Umzug, type MigrationFn as UmzugMigrationFn } from 'umzug';
import { withDefaultUser } from './database-url';

export type MigrationFn = UmzugMigrationFn<Sequelize>;

export function createMigrator(sequelize: Sequelize, log: (message: string) => void = () => {}) {
  return new Umzug({
    migrations: {
      glob: ['migrations/*.js', { cwd: __dirname }],
      resolve: ({ name, path: file }) => {
        // umzug hands over a path known only at run time, and wants the migration back synchronously: the
        // build is CommonJS, so require it.
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
        const migration = require(file!) as { up: MigrationFn; down: MigrationFn };
        return { name: path.basename(name, '.js'), up: migration.up, down: migration.down };
      },
    },
    context: sequelize,
    storage: new SequelizeStorage({ sequelize, tableName: 'schema_migrations' }),
    logger: {
      info: (m) => log(JSON.stringify(m)),
      warn: (m) => log(JSON.stringify(m)),
      error: (m) => log(JSON.stringify(m)),
      debug: () => {},
    },
  });
}

/** CREATE DATABASE when the one the URL names is missing (a fresh machine). */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const url = new URL(withDefaultUser(databaseUrl));
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const admin = new Sequelize(url.toString(), { dialect: 'postgres', logging: false });
  try {
    const [rows] = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', { bind: [name] });
    if (rows.length > 0) return false;
    await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    return true;
  } finally {
    await admin.close();
  }
}
