// `npm run migrate` and the Procfile's release process: create the database if missing, then apply
// pending migrations. An advisory lock lets two releases run at once without racing.
import 'reflect-metadata';
import { Sequelize } from 'sequelize';
import { loadConfigOrExit } from '../config';
import { withDefaultUser } from './database-url';
import { createMigrator, ensureDatabase } from './migrator';

const MIGRATION_LOCK = 7_342_001;

export async function migrate(databaseUrl: string, log: (message: string) => void = () => {}): Promise<void> {
  if (await ensureDatabase(databaseUrl)) log(`created database ${new URL(databaseUrl).pathname.slice(1)}`);
  // A plain instance: the models stay bound to the process's own (see createSequelize).
  const sequelize = new Sequelize(withDefaultUser(databaseUrl), { dialect: 'postgres', logging: false, pool: { max: 1 } });
  try {
    await sequelize.query('SELECT pg_advisory_lock($1)', { bind: [MIGRATION_LOCK] });
    const applied = await createMigrator(sequelize).up();
    log(applied.length ? `applied ${applied.map((m) => m.name).join(', ')}` : 'schema is up to date');
  } finally {
    await sequelize.close();
  }
}

if (require.main === module) {
  const config = loadConfigOrExit();
  migrate(config.databaseUrl, (m) => console.log(m)).catch((error: Error) => {
    console.error(`migration failed: ${error.message}`);
    process.exit(1);
  });
}
