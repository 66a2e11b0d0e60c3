// `npm run admin -- <command> [options]`: tenants, API keys and result types. `--json` prints one JSON
// object on the last line for scripts.
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '../config';
import { generateApiKey } from '../domain/api-keys';
import { PERMISSIONS, type Permission } from '../domain/statuses';
import { ApiKey, TaskResultType, Tenant, createSequelize } from '../models';
import { isUuid } from '../domain/schemas/common';

const USAGE = `usage: npm run admin -- <command> [--json]
  tenant:create --name N
  api-key:create --tenant ID --name N [--permissions ${PERMISSIONS.join(',')}] [--expires ISO]
  api-key:revoke --id ID
  result-type:add --tenant ID --code C --label L [--requires-future-scheduled-at]`;

class UsageError extends Error {}

type Options = Record<string, string | boolean | undefined>;

function required(options: Options, name: string): string {
  const value = options[name];
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${name} is required`);
  return value.trim();
}

function uuid(options: Options, name: string): string {
  const value = required(options, name);
  if (!isUuid(value)) throw new UsageError(`--${name} must be a uuid`);
  return value;
}

function permissions(options: Options): Permission[] {
  const list = typeof options.permissions === 'string' ? options.permissions.split(',').map((p) => p.trim()) : [...PERMISSIONS];
  const unknown = list.filter((p) => !(PERMISSIONS as readonly string[]).includes(p));
  if (unknown.length || list.length === 0) throw new UsageError(`--permissions takes ${PERMISSIONS.join(',')}`);
  return [...new Set(list)] as Permission[];
}

function expires(options: Options): Date | null {
  if (options.expires === undefined) return null;
  const date = new Date(String(options.expires));
  if (Number.isNaN(date.getTime())) throw new UsageError('--expires must be an ISO 8601 date');
  return date;
}

async function tenantExists(id: string): Promise<void> {
  if (!(await Tenant.findByPk(id))) throw new UsageError(`no tenant ${id}`);
}

type Output = { text: string; json: Record<string, unknown> };

const commands: Record<string, (options: Options) => Promise<Output>> = {
  async 'tenant:create'(options) {
    const tenant = await Tenant.create({ name: required(options, 'name') });
    return { text: `tenant ${tenant.id} (${tenant.name})`, json: { id: tenant.id, name: tenant.name } };
  },

  async 'api-key:create'(options) {
    const tenantId = uuid(options, 'tenant');
    const perms = permissions(options);
    const expiresAt = expires(options);
    await tenantExists(tenantId);
    const { key, prefix, hash } = generateApiKey();
    const row = await ApiKey.create({ tenantId, name: required(options, 'name'), prefix, keyHash: hash, permissions: perms, expiresAt });
    return {
      text: `api key ${row.id} for tenant ${tenantId} (${perms.join(', ')})\n${key}\nthe key is shown once: store it now`,
      json: { id: row.id, key, prefix, tenantId, permissions: perms, expiresAt },
    };
  },

  async 'api-key:revoke'(options) {
    const id = uuid(options, 'id');
    const row = await ApiKey.findByPk(id);
    if (!row) throw new UsageError(`no api key ${id}`);
    if (!row.revokedAt) await row.update({ revokedAt: new Date() });
    return { text: `api key ${id} revoked`, json: { id, revokedAt: row.revokedAt } };
  },

  async 'result-type:add'(options) {
    const tenantId = uuid(options, 'tenant');
    await tenantExists(tenantId);
    const [row] = await TaskResultType.upsert(
      {
        tenantId,
        code: required(options, 'code'),
        label: required(options, 'label'),
        requiresFutureScheduledAt: options['requires-future-scheduled-at'] === true,
      },
      { conflictFields: ['tenant_id', 'code'] as never },
    );
    return {
      text: `result type ${row.code} for tenant ${tenantId}`,
      json: { tenantId, code: row.code, label: row.label, requiresFutureScheduledAt: row.requiresFutureScheduledAt },
    };
  },
};

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
      code: { type: 'string' },
      label: { type: 'string' },
      'requires-future-scheduled-at': { type: 'boolean' },
    },
    strict: true,
  });
  const config = loadConfigOrExit();
  const sequelize = createSequelize(config.databaseUrl, { poolMax: 1 });
  try {
    const output = await run(values);
    console.log(values.json ? JSON.stringify(output.json) : output.text);
    return 0;
  } finally {
    await sequelize.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? `${error.message}\n${USAGE}` : `admin: ${error.message}`);
    process.exit(error instanceof UsageError ? 64 : 1);
  },
);
