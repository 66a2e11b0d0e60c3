import type { ResultTypeRule } from '../domain/result-types';
import { RefreshingCache } from '../lib/refreshing-cache';
import { TaskResultType } from './TaskResultType';

/**
 * Each tenant's result-type rules, cached for a few seconds: they are read for every event by the API
 * and by the worker, and change rarely. A rule added with the admin CLI applies within `freshMs`.
 */
export class ResultTypeDirectory {
  private readonly cache: RefreshingCache<ResultTypeRule[]>;

  constructor(options: { freshMs?: number } = {}) {
    this.cache = new RefreshingCache<ResultTypeRule[]>(
      (tenantId) => TaskResultType.findAll({ where: { tenantId }, attributes: ['code', 'requiresFutureScheduledAt'], raw: true }),
      { freshMs: options.freshMs ?? 10_000, staleMs: 15 * 60_000, maxEntries: 10_000 },
    );
  }

  forTenant(tenantId: string): Promise<readonly ResultTypeRule[]> {
    return this.cache.get(tenantId);
  }
}
