// Per-tenant rate limits, counted in Redis so every web process shares one count per tenant. A tenant's
// counter is its own key: a tenant over its limit costs the others nothing but its own rejected requests,
// and those are refused from memory until its window ends.
import type { RedisClient } from '../config/redis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { windowOf, type RateLimit, type RateWindow } from '../domain/rate-limits';

/** What one request was charged, for the RateLimit header fields and a 429. */
export interface RateDecision {
  readonly allowed: boolean;
  readonly window: RateWindow;
  readonly remaining: number;
  /** Seconds until the window ends and the points are back. */
  readonly resetSeconds: number;
}

export class TenantRateLimiter {
  /** One limiter per distinct limit in use (the default and each override): a handful. */
  private readonly limiters = new Map<string, RateLimiterRedis>();

  constructor(
    private readonly redis: RedisClient,
    /** The queue prefix: deployments sharing a Redis never share counters. */
    private readonly prefix: string,
    private readonly defaultLimit: RateLimit,
  ) {}

  /**
   * Charges `points` to the tenant (a request counts 1; a batch may count its events). Undefined when the
   * tenant has no limit, or neither Redis nor memory could count: the request goes through uncounted.
   */
  async consume(tenantId: string, override: RateLimit | null, points = 1): Promise<RateDecision | undefined> {
    const window = windowOf(override ?? this.defaultLimit);
    if (!window) return undefined;
    try {
      return decision(true, window, await this.limiterFor(window).consume(tenantId, points));
    } catch (rejection) {
      return rejection instanceof RateLimiterRes ? decision(false, window, rejection) : undefined;
    }
  }

  private limiterFor(window: RateWindow): RateLimiterRedis {
    const name = `${window.points}-${window.seconds}`;
    let limiter = this.limiters.get(name);
    if (!limiter) {
      limiter = new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: `${this.prefix}:rate-limit:${name}`,
        points: window.points,
        duration: window.seconds,
        // Once over, the rest of the window is refused here without asking Redis again.
        inMemoryBlockOnConsumed: window.points + 1,
        // Redis unreachable: count per process instead, rather than fail the request or drop the limit.
        insuranceLimiter: new RateLimiterMemory({ points: window.points, duration: window.seconds }),
      });
      this.limiters.set(name, limiter);
    }
    return limiter;
  }
}

function decision(allowed: boolean, window: RateWindow, res: RateLimiterRes): RateDecision {
  return { allowed, window, remaining: res.remainingPoints, resetSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)) };
}
