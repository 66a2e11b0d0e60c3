// Who a request comes from, once authenticate has let it in.
import type { Response } from 'express';
import type { RateLimit } from '../../domain/rate-limits';
import type { Permission } from '../../domain/api-keys';

export interface Principal {
  readonly tenantId: string;
  readonly apiKeyId: string;
  readonly permissions: readonly Permission[];
  /** The tenant's own rate limit; null for the deployment's default. */
  readonly tenantRateLimit: RateLimit | null;
}

export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw new Error('route is missing the authenticate middleware');
  return principal;
}
