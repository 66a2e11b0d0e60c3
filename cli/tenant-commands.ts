// tenant:* commands.
import { defaultBurst, rateLimitProblem } from '../domain/rate-limits';
import { Tenant } from '../models';
import { findTenant, iso, required, table, UsageError, uuid, wholeNumber, type Options, type Output } from './options';

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

const limitOf = (tenant: Tenant) => (tenant.rateLimitRps === null ? null : { rps: tenant.rateLimitRps, burst: tenant.rateLimitBurst! });

async function setActive(options: Options, active: boolean): Promise<Output> {
  const tenant = await findTenant(uuid(options, 'id'));
  if (tenant.active !== active) await tenant.update({ active });
  return { text: `tenant ${tenant.id} ${active ? 'active' : 'inactive: its keys are refused'}`, json: { id: tenant.id, active } };
}

export const tenantCommands: Record<string, (options: Options) => Promise<Output>> = {
  async 'tenant:create'(options) {
    const tenant = await Tenant.create({ name: required(options, 'name') });
    return { text: `tenant ${tenant.id} (${tenant.name})`, json: { id: tenant.id, name: tenant.name } };
  },

  async 'tenant:list'() {
    const tenants = await Tenant.findAll({
      order: [
        ['createdAt', 'ASC'],
        ['id', 'ASC'],
      ],
    });
    const items = tenants.map((t) => ({
      id: t.id,
      name: t.name,
      active: t.active,
      rateLimit: limitOf(t),
      createdAt: iso(t.get('createdAt') as Date),
    }));
    const rows = items.map((t) => [
      t.id,
      t.name,
      t.active ? 'yes' : 'no',
      t.rateLimit ? `${t.rateLimit.rps}/s, burst ${t.rateLimit.burst}` : 'default',
      t.createdAt,
    ]);
    return {
      text: items.length ? table(['ID', 'NAME', 'ACTIVE', 'RATE LIMIT', 'CREATED'], rows) : 'no tenants yet: tenant:create --name N',
      json: { items },
    };
  },

  'tenant:deactivate': (options) => setActive(options, false),
  'tenant:activate': (options) => setActive(options, true),

  async 'tenant:limit'(options) {
    const tenant = await findTenant(uuid(options, 'id'));
    const limit = requestedLimit(options);
    await tenant.update({ rateLimitRps: limit?.rps ?? null, rateLimitBurst: limit?.burst ?? null });
    return { text: `tenant ${tenant.id} has ${describeLimit(limit)}`, json: { id: tenant.id, rateLimit: limit } };
  },
};
