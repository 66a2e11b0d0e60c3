// `npm run admin -- <command> [options]`: tenants, API keys and result types. `--json` prints one JSON
// object on the last line for scripts.
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '../config';
import { generateApiKey } from '../domain/api-keys';
import { defaultBurst, rateLimitProblem } from '../domain/rate-limits';
import { PERMISSIONS, type Permission } from '../domain/statuses';
import { ApiKey, TaskResultType, Tenant, createSequelize } from '../models';
import { isUuid } from '../domain/schemas/common';

const USAGE = `usage: npm run admin -- <command> [--json]
  tenant:create --name N
  tenant:deactivate --id ID
  tenant:activate --id ID
  tenant:limit --id ID (--rps N [--burst M] | --default)
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
  await findTenant(id);
}

async function findTenant(id: string): Promise<Tenant> {
  const tenant = await Tenant.findByPk(id);
  if (!tenant) throw new UsageError(`no tenant ${id}`);
  return tenant;
}

function wholeNumber(options: Options, name: string): number {
  const text = required(options, name);
  if (!/^\d+$/.test(text)) throw new UsageError(`--${name} must be a whole number, 0 or more`);
  return Number(text);
}

/** The limit `tenant:limit` asks for: null for the deployment's default. */
function requestedLimit(options: Options): { rps: number; burst: number } | null {
  if (options.default === true) {
    if (options.rps !== undefined || options.burst !== undefined) throw new UsageError('--default takes no --rps or --burst');
    return null;
  }
  const rps = wholeNumber(options, 'rps');
  const limit = { rps, burst: options.burst === undefined ? defaultBurst(rps) : wholeNumber(options, 'burst') };
  const problem = rateLimitProblem(limit);
  if (problem) throw new UsageError(`--${problem}`);
  return limit;
}

function describeLimit(limit: { rps: number; burst: number } | null): string {
  if (!limit) return 'the default rate limit (RATE_LIMIT_RPS, RATE_LIMIT_BURST)';
  if (limit.rps === 0 || limit.burst === 0) return 'no rate limit';
  return `a rate limit of ${limit.rps} requests/s, bursts of ${limit.burst}`;
}

async function setActive(options: Options, active: boolean): Promise<Output> {
  const tenant = await findTenant(uuid(options, 'id'));
  if (tenant.active !== active) await tenant.update({ active });
  return { text: `tenant ${tenant.id} ${active ? 'active' : 'inactive: its keys are refused'}`, json: { id: tenant.id, active } };
}

type Output = { text: string; json: Record<string, unknown> };

const commands: Record<string, (options: Options) => Promise<Output>> = {
  async 'tenant:create'(options) {
    const tenant = await Tenant.create({ name: required(options, 'name') });
    return { text: `tenant ${tenant.id} (${tenant.name})`, json: { id: tenant.id, name: tenant.name } };
  },

  'tenant:deactivate': (options) => setActive(options, false),
  'tenant:activate': (options) => setActive(options, true),

  async 'tenant:limit'(options) {
    const tenant = await findTenant(uuid(options, 'id'));
    const limit = requestedLimit(options);
    await tenant.update({ rateLimitRps: limit?.rps ?? null, rateLimitBurst: limit?.burst ?? null });
    return { text: `tenant ${tenant.id} has ${describeLimit(limit)}`, json: { id: tenant.id, rateLimit: limit } };
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
