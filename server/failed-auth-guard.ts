// Failed authentications (unknown, revoked or expired API keys; wrong Bull Board passwords) counted per
// client address in Redis, shared by every web process. Past the limit, an address's unknown keys are
// refused without a database lookup and its board password guesses are refused outright, so guessing
// costs the guesser, not PostgreSQL.
import type { RedisClient } from '../config/redis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

export const FAILED_AUTH_LIMIT = 100;
const WINDOW_SECONDS = 60;

export class FailedAuthGuard {
  private readonly failures: RateLimiterRedis;

  constructor(redis: RedisClient, prefix: string) {
    this.failures = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}:auth-failures`,
      points: FAILED_AUTH_LIMIT,
      duration: WINDOW_SECONDS,
      insuranceLimiter: new RateLimiterMemory({ points: FAILED_AUTH_LIMIT, duration: WINDOW_SECONDS }),
    });
  }

  /** Seconds until `address` may try again, or undefined when it may now. */
  async blockedFor(address: string): Promise<number | undefined> {
    try {
      const res = await this.failures.get(address);
      return res && res.consumedPoints >= FAILED_AUTH_LIMIT ? seconds(res) : undefined;
    } catch {
      return undefined; // nothing can count: let it try, at the cost of a lookup
    }
  }

  /** Counts one failure; returns the seconds to wait when it was one too many. */
  async failed(address: string): Promise<number | undefined> {
    try {
      await this.failures.consume(address);
      return undefined;
    } catch (rejection) {
      return rejection instanceof RateLimiterRes ? seconds(rejection) : undefined;
    }
  }
}

const seconds = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000));

/** The address a failure is charged to: the socket's, since the service trusts no proxy header. */
export const clientAddress = (socket: { remoteAddress?: string }) => socket.remoteAddress ?? 'unknown';
