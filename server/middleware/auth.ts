// Authentication for /api: `Authorization: Bearer <key>` with `x-tenant-id`, or `x-api-key` alone.
// Missing, unknown, revoked or expired key → 401; a key without the route's permission, or a tenant
// header that does not match the key → 403; an inactive tenant → 403 TENANT_INACTIVE. After too many
// failed keys from one address, its unknown keys get 429 without a lookup. Then the tenant's rate limit,
// before anything reads the body.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { hashApiKey } from '../../domain/api-keys';
import type { Permission } from '../../domain/api-keys';
import { isDatabaseUnavailable } from '../../models/database-errors';
import type { ApiKeyDirectory, KnownKey } from '../api-key-directory';
import { clientAddress, type FailedAuthGuard } from '../failed-auth-guard';
import { forbidden, rateLimited, serviceUnavailable, tenantInactive, unauthorized } from '../http-errors';
import type { TenantRateLimiter } from '../tenant-rate-limiter';
import type { Principal } from './principal';
import { chargeTenant } from './rate-limit';

export { principalOf, type Principal } from './principal';

/** Everything that decides whether a request with an API key gets in. */
export interface ApiKeyAccess {
  readonly directory: ApiKeyDirectory;
  readonly failures: FailedAuthGuard;
  readonly limiter: TenantRateLimiter;
}

function presentedKey(req: Request): { key: string; tenantId?: string } {
  const authorization = req.get('authorization');
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) throw unauthorized('Authorization must be "Bearer <api key>"');
    const tenantId = req.get('x-tenant-id');
    if (!tenantId) throw unauthorized('x-tenant-id is required with a Bearer key');
    return { key: match[1], tenantId };
  }
  const key = req.get('x-api-key');
  if (key) return { key, tenantId: req.get('x-tenant-id') };
  throw unauthorized('missing API key: send Authorization: Bearer <key> with x-tenant-id, or x-api-key');
}

function whyUnusable(known: KnownKey | null, now: Date): string | undefined {
  if (!known) return 'unknown API key';
  if (known.revokedAt && known.revokedAt <= now) return 'API key revoked';
  if (known.expiresAt && known.expiresAt <= now) return 'API key expired';
  return undefined;
}

/** The key's record. A key this process holds already is let through to it whatever its sender did before. */
async function findKey(access: ApiKeyAccess, hash: string, address: string): Promise<KnownKey | null> {
  if (!access.directory.cached(hash)) {
    const waitSeconds = await access.failures.blockedFor(address);
    if (waitSeconds !== undefined) throw rateLimited('too many failed authentications from this address', waitSeconds);
  }
  try {
    return await access.directory.find(hash);
  } catch (error) {
    if (isDatabaseUnavailable(error)) throw serviceUnavailable('cannot check API keys right now');
    throw error; // a bug, not an outage: the error middleware logs it and answers 500
  }
}

async function identify(access: ApiKeyAccess, anyOf: readonly Permission[], req: Request): Promise<Principal> {
  const { key, tenantId } = presentedKey(req);
  const address = clientAddress(req.socket);
  const known = await findKey(access, hashApiKey(key), address);
  const unusable = whyUnusable(known, new Date());
  if (unusable) {
    const waitSeconds = await access.failures.failed(address);
    throw waitSeconds === undefined
      ? unauthorized(unusable)
      : rateLimited('too many failed authentications from this address', waitSeconds);
  }
  const usable = known!;
  if (tenantId !== undefined && tenantId !== usable.tenantId) throw forbidden('API key does not belong to this tenant');
  if (!usable.tenantActive) throw tenantInactive();
  if (!anyOf.some((p) => usable.permissions.includes(p))) throw forbidden(`API key lacks permission ${anyOf.join(' or ')}`);
  access.directory.touch(usable.id);
  return { tenantId: usable.tenantId, apiKeyId: usable.id, permissions: usable.permissions, tenantRateLimit: usable.tenantRateLimit };
}

/** Allows the request when the key has any one of `anyOf` and its tenant is within its rate limit. */
export function authenticate(access: ApiKeyAccess, anyOf: readonly Permission[]): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    res.locals.principal = await identify(access, anyOf, req);
    await chargeTenant(access.limiter, res, 1);
    next();
  };
}
