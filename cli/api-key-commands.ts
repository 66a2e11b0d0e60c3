// api-key:* commands. A key is printed once, when it is made; lists show its prefix, never the key or
// its hash.
import { generateApiKey } from '../domain/api-keys';
import type { Transaction } from 'sequelize';
import type { Permission } from '../domain/api-keys';
import { ApiKey } from '../models';
import { duration, expires, findTenant, iso, permissions, required, table, UsageError, uuid, type Options, type Output } from './options';

const DEFAULT_GRACE_MS = 24 * 3_600_000;

async function createKey(tenantId: string, name: string, perms: Permission[], expiresAt: Date | null, transaction?: Transaction) {
  const { key, prefix, hash } = generateApiKey();
  const row = await ApiKey.create({ tenantId, name, prefix, keyHash: hash, permissions: perms, expiresAt }, { transaction });
  return { row, key, prefix };
}

// The key alone on the last line, so a script (or a person copying it) takes the key, not the id.
const keyText = (first: string, key: string) => `${first}\nthe key is shown once: store it now\n${key}`;

async function findKey(id: string): Promise<ApiKey> {
  const row = await ApiKey.findByPk(id);
  if (!row) throw new UsageError(`no api key ${id}`);
  return row;
}

export const apiKeyCommands: Record<string, (options: Options) => Promise<Output>> = {
  async 'api-key:create'(options) {
    const tenantId = uuid(options, 'tenant');
    const perms = permissions(options);
    const expiresAt = expires(options);
    const name = required(options, 'name');
    await findTenant(tenantId);
    const { row, key, prefix } = await createKey(tenantId, name, perms, expiresAt);
    const warnings =
      expiresAt && expiresAt <= new Date()
        ? [`warning: --expires ${expiresAt.toISOString()} is in the past: the key is refused from the start`]
        : [];
    return {
      text: keyText(`api key ${row.id} for tenant ${tenantId} (${perms.join(', ')})`, key),
      json: { id: row.id, key, prefix, tenantId, permissions: perms, expiresAt },
      warnings,
    };
  },

  async 'api-key:list'(options) {
    const tenantId = uuid(options, 'tenant');
    await findTenant(tenantId);
    const keys = await ApiKey.findAll({
      where: { tenantId },
      attributes: { exclude: ['keyHash'] },
      order: [
        ['createdAt', 'ASC'],
        ['id', 'ASC'],
      ],
    });
    const items = keys.map((k) => ({
      id: k.id,
      name: k.name,
      prefix: k.prefix,
      permissions: k.permissions,
      createdAt: iso(k.get('createdAt') as Date),
      expiresAt: iso(k.expiresAt),
      lastUsedAt: iso(k.lastUsedAt),
      revokedAt: iso(k.revokedAt),
    }));
    const rows = items.map((k) => [k.id, k.name, k.prefix, k.permissions.join(','), k.createdAt, k.expiresAt, k.lastUsedAt, k.revokedAt]);
    const text = items.length
      ? table(['ID', 'NAME', 'PREFIX', 'PERMISSIONS', 'CREATED', 'EXPIRES', 'LAST USED', 'REVOKED'], rows)
      : `tenant ${tenantId} has no api keys`;
    return { text, json: { items } };
  },

  /** A new key like the old one; the old one keeps working for the grace period, so clients can switch. */
  async 'api-key:rotate'(options) {
    const old = await findKey(uuid(options, 'id'));
    const graceMs = duration(options, 'grace', DEFAULT_GRACE_MS);
    const now = new Date();
    if (old.revokedAt) throw new UsageError(`api key ${old.id} is revoked: create a new one with api-key:create`);
    if (old.expiresAt && old.expiresAt <= now) throw new UsageError(`api key ${old.id} has expired: create a new one with api-key:create`);
    const newExpiry = expires(options);
    // The new key and the old key's end together, or neither (the CLI's pool has one connection: pass it).
    const { row, key, prefix } = await ApiKey.sequelize!.transaction(async (transaction) => {
      const made = await createKey(old.tenantId, old.name, old.permissions, newExpiry, transaction);
      const graceEnd = new Date(now.getTime() + graceMs);
      // A grace period never lengthens a key's life.
      if (graceMs === 0) await old.update({ revokedAt: now }, { transaction });
      else if (!old.expiresAt || old.expiresAt > graceEnd) await old.update({ expiresAt: graceEnd }, { transaction });
      return made;
    });
    const oldEnds = old.revokedAt ? `revoked now` : `works until ${old.expiresAt!.toISOString()}`;
    return {
      text: keyText(
        `api key ${row.id} replaces ${old.id} for tenant ${old.tenantId} (${old.permissions.join(', ')}); the old key ${oldEnds}`,
        key,
      ),
      json: {
        id: row.id,
        key,
        prefix,
        tenantId: old.tenantId,
        permissions: old.permissions,
        expiresAt: row.expiresAt,
        replaces: { id: old.id, expiresAt: old.expiresAt, revokedAt: old.revokedAt },
      },
    };
  },

  async 'api-key:revoke'(options) {
    const row = await findKey(uuid(options, 'id'));
    if (!row.revokedAt) await row.update({ revokedAt: new Date() });
    return { text: `api key ${row.id} revoked`, json: { id: row.id, revokedAt: row.revokedAt } };
  },
};
