// `npm run admin -- <command> [options]`: tenants, API keys and result types. `--json` prints one JSON
// object on the last line for scripts.
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '../config';
import { PERMISSIONS } from '../domain/api-keys';
import { createSequelize } from '../models';
import { withDefaultUser } from '../models/database-url';
import { apiKeyCommands } from './api-key-commands';
import { UsageError, type Options, type Output } from './options';
import { resultTypeCommands } from './result-type-commands';
import { tenantCommands } from './tenant-commands';

const USAGE = `usage: npm run admin -- <command> [--json]
  tenant:create --name N
  tenant:list
  tenant:deactivate --id ID
  tenant:activate --id ID
  tenant:limit --id ID (--rps N [--burst M] | --default)
  api-key:create --tenant ID --name N [--permissions ${PERMISSIONS.join(',')}] [--expires ISO]
  api-key:list --tenant ID
  api-key:rotate --id ID [--grace DURATION (default 24h; 0 revokes the old key at once)] [--expires ISO]
  api-key:revoke --id ID
  result-type:add --tenant ID --code C --label L [--requires-future-scheduled-at]
  result-type:list --tenant ID
  result-type:remove --tenant ID --code C`;

const commands: Record<string, (options: Options) => Promise<Output>> = { ...tenantCommands, ...apiKeyCommands, ...resultTypeCommands };

/** Where the database is, without its password. */
function databaseName(databaseUrl: string): string {
  const url = new URL(withDefaultUser(databaseUrl));
  return `${url.hostname}:${url.port || 5432}${url.pathname}`;
}

/** One line that says what to do about a database the CLI cannot use, or undefined for other errors. */
function databaseAdvice(error: unknown, databaseUrl: string): string | undefined {
  const cause =
    (error as { original?: { code?: string }; parent?: { code?: string } }).original ?? (error as { parent?: { code?: string } }).parent;
  const code = cause?.code ?? (error as { code?: string }).code;
  const where = databaseName(databaseUrl);
  if (code === '3D000') return `admin: the database ${where} does not exist: run npm run migrate (it creates it), or set DATABASE_URL`;
  if (code === '42P01') return `admin: the database ${where} has no tables yet: run npm run migrate`;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || (error as Error).name === 'SequelizeConnectionRefusedError') {
    return `admin: cannot reach PostgreSQL at ${where}: start it, or set DATABASE_URL`;
  }
  return undefined;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const run = command === undefined ? undefined : commands[command];
  if (!run) {
    console.error(USAGE);
    return 64;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      json: { type: 'boolean' },
      name: { type: 'string' },
      tenant: { type: 'string' },
      id: { type: 'string' },
      permissions: { type: 'string' },
      expires: { type: 'string' },
      grace: { type: 'string' },
      code: { type: 'string' },
      label: { type: 'string' },
      'requires-future-scheduled-at': { type: 'boolean' },
      rps: { type: 'string' },
      burst: { type: 'string' },
      default: { type: 'boolean' },
    },
    strict: true,
  });
  const config = loadConfigOrExit();
  const sequelize = createSequelize(config.databaseUrl, { poolMax: 1 });
  try {
    const output = await run(values);
    for (const warning of output.warnings ?? []) console.error(warning);
    console.log(values.json ? JSON.stringify(output.json) : output.text);
    return 0;
  } catch (error) {
    const advice = databaseAdvice(error, config.databaseUrl);
    if (!advice) throw error;
    console.error(advice);
    return 69; // EX_UNAVAILABLE
  } finally {
    await sequelize.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(
      error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
        ? `${error.message}\n${USAGE}`
        : `admin: ${error.message}`,
    );
    process.exit(error instanceof UsageError ? 64 : 1);
  },
);
