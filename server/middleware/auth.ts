// Authentication for /api: `Authorization: Bearer <key>` with `x-tenant-id`, or `x-api-key` alone.
// Missing, unknown, revoked or expired key → 401; a key without the route's permission, or a tenant
// header that does not match the key → 403.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { hashApiKey } from '../../domain/api-keys';
import type { Permission } from '../../domain/statuses';
import { forbidden, serviceUnavailable, unauthorized } from '../http-errors';
import type { ApiKeyDirectory, KnownKey } from '../api-key-directory';

export interface Principal {
  readonly tenantId: string;
  readonly apiKeyId: string;
  readonly permissions: readonly Permission[];
}

export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw new Error('route is missing the authenticate middleware');
  return principal;
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

function checkUsable(known: KnownKey | null, now: Date): KnownKey {
  if (!known) throw unauthorized('unknown API key');
  if (known.revokedAt && known.revokedAt <= now) throw unauthorized('API key revoked');
  if (known.expiresAt && known.expiresAt <= now) throw unauthorized('API key expired');
  return known;
}

/** Allows the request when the key has any one of `anyOf`. */
export function authenticate(directory: ApiKeyDirectory, anyOf: readonly Permission[]): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const { key, tenantId } = presentedKey(req);
    let known: KnownKey | null;
    try {
      known = await directory.find(hashApiKey(key));
    } catch {
      throw serviceUnavailable('cannot check API keys right now');
    }
    const usable = checkUsable(known, new Date());
    if (tenantId !== undefined && tenantId !== usable.tenantId) throw forbidden('API key does not belong to this tenant');
    if (!anyOf.some((p) => usable.permissions.includes(p))) throw forbidden(`API key lacks permission ${anyOf.join(' or ')}`);
    res.locals.principal = { tenantId: usable.tenantId, apiKeyId: usable.id, permissions: usable.permissions } satisfies Principal;
    directory.touch(usable.id);
    next();
  };
}
