// Per-tenant rate limits. A limit is `rps` requests a second on average with bursts of up to `burst`:
// the counter holds `burst` points for a window of about burst/rps whole seconds, opened by the first
// request after the last window ended. rps or burst 0 means no limit.

export interface RateLimit {
  readonly rps: number;
  readonly burst: number;
}

/** Points and length of one counting window, or undefined when the limit is off. */
export interface RateWindow {
  readonly points: number;
  readonly seconds: number;
}

/** A burst left unsaid is two seconds' worth. */
export const defaultBurst = (rps: number) => 2 * rps;

export function windowOf(limit: RateLimit): RateWindow | undefined {
  if (limit.rps <= 0 || limit.burst <= 0) return undefined;
  // The Redis counter expires in whole seconds.
  return { points: limit.burst, seconds: Math.max(1, Math.round(limit.burst / limit.rps)) };
}

/** Why a limit cannot be used, or undefined when it can. */
export function rateLimitProblem(limit: RateLimit): string | undefined {
  if (!Number.isInteger(limit.rps) || limit.rps < 0) return 'rps must be a whole number, 0 or more';
  if (!Number.isInteger(limit.burst) || limit.burst < 0) return 'burst must be a whole number, 0 or more';
  if (limit.burst > 0 && limit.burst < limit.rps) return 'burst must be at least rps';
  return undefined;
}

/** One request's part of a charge made for several at once. */
export interface Share {
  readonly allowed: boolean;
  readonly remaining: number;
}

/**
 * Splits one counter charge made for several requests (`points` each, in the order they came) as if each
 * had been charged alone, one after the other: `consumedAfter` is the counter once all were added. A
 * refused request's points stay counted, as a lone charge's do.
 */
export function shareOut(points: readonly number[], consumedAfter: number, limit: number): Share[] {
  let used = consumedAfter - points.reduce((sum, p) => sum + p, 0);
  return points.map((p) => {
    used += p;
    return { allowed: used <= limit, remaining: Math.max(0, limit - used) };
  });
}
