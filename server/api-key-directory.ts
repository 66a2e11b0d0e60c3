import { ApiKey } from '../models';
import type { Permission } from '../domain/statuses';
import { RefreshingCache } from '../models/refreshing-cache';

export interface KnownKey {
  readonly id: string;
  readonly tenantId: string;
  readonly permissions: readonly Permission[];
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
}

const TOUCH_EVERY_MS = 60_000;

/** API keys by hash, cached for a few seconds so the hot path does not query PostgreSQL per request. */
export class ApiKeyDirectory {
  private readonly cache: RefreshingCache<KnownKey | null>;
  private readonly touchedAt = new Map<string, number>();

  constructor(options: { freshMs?: number } = {}) {
    this.cache = new RefreshingCache(
      async (hash) => {
        const row = await ApiKey.findOne({ where: { keyHash: hash }, raw: true });
        return row && { id: row.id, tenantId: row.tenantId, permissions: row.permissions, expiresAt: row.expiresAt, revokedAt: row.revokedAt };
      },
      { freshMs: options.freshMs ?? 5_000, staleMs: 15 * 60_000, maxEntries: 10_000 },
    );
  }

  find(hash: string): Promise<KnownKey | null> {
    return this.cache.get(hash);
  }

  /** Records last_used_at at most once a minute per key, off the request's path. */
  touch(id: string): void {
    const now = Date.now();
    if (now - (this.touchedAt.get(id) ?? 0) < TOUCH_EVERY_MS) return;
    this.touchedAt.set(id, now);
    ApiKey.update({ lastUsedAt: new Date(now) }, { where: { id } }).catch(() => this.touchedAt.delete(id));
  }
}
