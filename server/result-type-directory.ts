import type { ResultTypeRule } from '../domain/result-types';
import { TaskResultType } from '../models';
import { RefreshingCache } from './refreshing-cache';

/** Each tenant's result-type rules, cached for a few seconds (the worker checks them again). */
export class ResultTypeDirectory {
  private readonly cache = new RefreshingCache<ResultTypeRule[]>(
    (tenantId) => TaskResultType.findAll({ where: { tenantId }, attributes: ['code', 'requiresFutureScheduledAt'], raw: true }),
    { freshMs: 10_000, staleMs: 15 * 60_000, maxEntries: 10_000 },
  );

  /** The rules, or none when they cannot be read now: validation then falls to the worker. */
  async forTenant(tenantId: string): Promise<readonly ResultTypeRule[]> {
    return this.cache.get(tenantId).catch(() => []);
  }
}
