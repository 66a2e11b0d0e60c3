// Per-tenant rate limits, counted in Redis so every web process shares one count per tenant. A tenant's
// counter is its own key: a tenant over its limit costs the others nothing but its own rejected requests,
// and those are refused from memory until its window ends. The charges of one event-loop turn go to
// Redis together, one call per tenant and limit (docs/limits.md).
import type { RedisClient } from '../config/redis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { shareOut, windowOf, type RateLimit, type RateWindow } from '../domain/rate-limits';
import { BatchLoader } from '../lib/batch-loader';

/** What one request was charged, for the RateLimit header fields and a 429. */
export interface RateDecision {
  readonly allowed: boolean;
  readonly window: RateWindow;
  readonly remaining: number;
  /** Seconds until the window ends and the points are back. */
  readonly resetSeconds: number;
}

interface Charge {
  readonly tenantId: string;
  readonly points: number;
}

type Decided = RateDecision | undefined;

// Charges wait for a turn to end, not for Redis: enough calls in flight that none queue behind another.
const CALLS_IN_FLIGHT = 64;

export class TenantRateLimiter {
  /** One limiter per distinct limit in use (the default and each override): a handful. */
  private readonly limiters = new Map<string, BatchLoader<Charge, Decided>>();

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
    return this.limiterFor(window).load({ tenantId, points });
  }

  private limiterFor(window: RateWindow): BatchLoader<Charge, Decided> {
    const name = `${window.points}-${window.seconds}`;
    let limiter = this.limiters.get(name);
    if (!limiter) {
      const counter = new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: `${this.prefix}:rate-limit:${name}`,
        points: window.points,
        duration: window.seconds,
        // Once over, the rest of the window is refused here without asking Redis again.
        inMemoryBlockOnConsumed: window.points + 1,
        // Redis unreachable: count per process instead, rather than fail the request or drop the limit.
        insuranceLimiter: new RateLimiterMemory({ points: window.points, duration: window.seconds }),
      });
      limiter = new BatchLoader((charges) => chargeTogether(counter, window, charges), {
        maxInFlight: CALLS_IN_FLIGHT,
        maxBatch: Number.MAX_SAFE_INTEGER,
      });
      this.limiters.set(name, limiter);
    }
    return limiter;
  }
}

/** One counter call per tenant for all its charges, shared out as if each had been made alone in turn. */
async function chargeTogether(counter: RateLimiterRedis, window: RateWindow, charges: readonly Charge[]): Promise<Decided[]> {
  const byTenant = new Map<string, number[]>();
  charges.forEach(({ tenantId }, i) => {
    const indexes = byTenant.get(tenantId);
    if (indexes) indexes.push(i);
    else byTenant.set(tenantId, [i]);
  });
  const decided: Decided[] = new Array(charges.length);
  await Promise.all(
    [...byTenant].map(async ([tenantId, indexes]) => {
      const points = indexes.map((i) => charges[i].points);
      const res = await chargeOnce(counter, tenantId, points);
      const shares = res ? shareOut(points, consumedAfter(res, points), window.points) : [];
      indexes.forEach((i, n) => {
        decided[i] = res && { ...shares[n], window, resetSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)) };
      });
    }),
  );
  return decided;
}

/** The counter after the charge, or undefined when neither Redis nor memory could count it. */
async function chargeOnce(counter: RateLimiterRedis, tenantId: string, points: readonly number[]): Promise<RateLimiterRes | undefined> {
  try {
    return await counter.consume(
      tenantId,
      points.reduce((sum, p) => sum + p, 0),
    );
  } catch (rejection) {
    return rejection instanceof RateLimiterRes ? rejection : undefined;
  }
}

/** A tenant blocked in memory is refused without a count (consumedPoints 0): every charge is over. */
function consumedAfter(res: RateLimiterRes, points: readonly number[]): number {
  const charged = points.reduce((sum, p) => sum + p, 0);
  return res.consumedPoints >= charged ? res.consumedPoints : Infinity;
}
