import { ApiKey, Tenant } from '../models';
import type { RateLimit } from '../domain/rate-limits';
import type { Permission } from '../domain/api-keys';
import { RefreshingCache } from '../lib/refreshing-cache';

export interface KnownKey {
  readonly id: string;
  readonly tenantId: string;
  readonly permissions: readonly Permission[];
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
  readonly tenantActive: boolean;
  /** The tenant's own rate limit; null for the deployment's default. */
  readonly tenantRateLimit: RateLimit | null;
}

/** A revocation, a deactivated tenant or a new rate limit reaches every web process within this. */
export const KEY_FRESH_MS = 5_000;
/**
 * While PostgreSQL cannot be reached, a key checked this recently is still trusted, so events keep
 * flowing into the queue through a database restart or failover. Past it the key cannot be checked
 * (503): a key revoked or a tenant deactivated just before an outage works at most this long.
 */
export const KEY_STALE_MS = 5 * 60_000;
/** An unknown key is answered from memory this long: a client retrying a wrong key costs no lookups. */
export const UNKNOWN_FOR_MS = 3_000;

const TOUCH_EVERY_MS = 60_000;

export interface ApiKeyDirectoryOptions {
  readonly freshMs?: number;
  readonly now?: () => number;
  readonly lookup?: (hash: string) => Promise<KnownKey | null>;
}

async function lookupInDatabase(hash: string): Promise<KnownKey | null> {
  const row = await ApiKey.findOne({
    where: { keyHash: hash },
    include: [{ model: Tenant, attributes: ['active', 'rateLimitRps', 'rateLimitBurst'] }],
  });
  if (!row) return null;
  const { active, rateLimitRps, rateLimitBurst } = row.tenant!;
  return {
    id: row.id,
    tenantId: row.tenantId,
    permissions: row.permissions,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
    tenantActive: active,
    tenantRateLimit: rateLimitRps === null || rateLimitBurst === null ? null : { rps: rateLimitRps, burst: rateLimitBurst },
  };
}

/**
 * API keys by hash, cached so the hot path does not query PostgreSQL per request. Keys that exist live in
 * one cache; hashes that match no key live briefly in a small one of their own, so a flood of random keys
 * can never push a real key out.
 */
export class ApiKeyDirectory {
  private readonly keys: RefreshingCache<KnownKey | null>;
  private readonly unknown: UnknownHashes;
  private readonly touchedAt = new Map<string, number>();

  constructor(options: ApiKeyDirectoryOptions = {}) {
    const now = options.now ?? Date.now;
    this.keys = new RefreshingCache(options.lookup ?? lookupInDatabase, {
      freshMs: options.freshMs ?? KEY_FRESH_MS,
      staleMs: KEY_STALE_MS,
      maxEntries: 10_000,
      now,
      keep: (known) => known !== null,
    });
    this.unknown = new UnknownHashes(UNKNOWN_FOR_MS, 5_000, now);
  }

  /** The key when this process holds it already: no lookup, whatever the caller's history. */
  cached(hash: string): KnownKey | undefined {
    return this.keys.peek(hash) ?? undefined;
  }

  async find(hash: string): Promise<KnownKey | null> {
    if (this.unknown.has(hash)) return null;
    const known = await this.keys.get(hash);
    if (!known) this.unknown.add(hash);
    return known;
  }

  /** Records last_used_at at most once a minute per key, off the request's path. */
  touch(id: string): void {
    const now = Date.now();
    if (now - (this.touchedAt.get(id) ?? 0) < TOUCH_EVERY_MS) return;
    this.touchedAt.set(id, now);
    ApiKey.update({ lastUsedAt: new Date(now) }, { where: { id } }).catch(() => this.touchedAt.delete(id));
  }
}

/** Hashes known to match no key, each for `forMs`; the oldest go first past `maxEntries`. */
class UnknownHashes {
  private readonly until = new Map<string, number>();

  constructor(
    private readonly forMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {}

  has(hash: string): boolean {
    const until = this.until.get(hash);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.until.delete(hash);
    return false;
  }

  add(hash: string): void {
    this.until.delete(hash);
    this.until.set(hash, this.now() + this.forMs);
    if (this.until.size > this.maxEntries) this.until.delete(this.until.keys().next().value!);
  }
}
