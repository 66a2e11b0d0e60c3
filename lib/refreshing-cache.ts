// A small read-through cache for per-request lookups (API keys, result-type configs). An entry is fresh
// for `freshMs`; after that the next read loads it again, so a revoked key stops working within seconds.
// When the load fails (PostgreSQL down) a stale entry younger than `staleMs` is served instead, so the
// API keeps accepting events into the queue through a database outage.

interface Entry<V> {
  value: V;
  loadedAt: number;
}

export interface RefreshingCacheOptions<V> {
  readonly freshMs: number;
  readonly staleMs: number;
  readonly maxEntries: number;
  readonly now?: () => number;
  /** Values for which this is false are returned but not kept (nor is an older entry for their key). */
  readonly keep?: (value: V) => boolean;
}

export class RefreshingCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly loading = new Map<string, Promise<V>>();
  private readonly now: () => number;

  constructor(
    private readonly load: (key: string) => Promise<V>,
    private readonly options: RefreshingCacheOptions<V>,
  ) {
    this.now = options.now ?? Date.now;
  }

  async get(key: string): Promise<V> {
    const entry = this.entries.get(key);
    const age = entry ? this.now() - entry.loadedAt : Infinity;
    if (entry && age < this.options.freshMs) return entry.value;
    try {
      return await this.loadOnce(key);
    } catch (error) {
      if (entry && age < this.options.staleMs) return entry.value;
      throw error;
    }
  }

  /** The value held for `key`, fresh or not yet too stale to serve, without loading anything. */
  peek(key: string): V | undefined {
    const entry = this.entries.get(key);
    return entry && this.now() - entry.loadedAt < this.options.staleMs ? entry.value : undefined;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Concurrent misses for one key share a single load. */
  private loadOnce(key: string): Promise<V> {
    let pending = this.loading.get(key);
    if (!pending) {
      pending = this.load(key).then((value) => {
        this.remember(key, value);
        return value;
      });
      pending.finally(() => this.loading.delete(key)).catch(() => {});
      this.loading.set(key, pending);
    }
    return pending;
  }

  private remember(key: string, value: V): void {
    this.entries.delete(key);
    if (this.options.keep && !this.options.keep(value)) return;
    this.entries.set(key, { value, loadedAt: this.now() });
    if (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}
