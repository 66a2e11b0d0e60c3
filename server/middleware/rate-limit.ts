// The tenant's rate limit, right after authentication. Every answer within a limit carries the IETF
// RateLimit header fields, errors included; over it, 429 RATE_LIMITED with Retry-After.
import type { Response } from 'express';
import { rateLimited } from '../http-errors';
import type { RateDecision, TenantRateLimiter } from '../tenant-rate-limiter';
import { principalOf } from './principal';

function setRateLimitHeaders(res: Response, decision: RateDecision): void {
  res.set('RateLimit-Limit', String(decision.window.points));
  res.set('RateLimit-Remaining', String(decision.remaining));
  res.set('RateLimit-Reset', String(decision.resetSeconds));
  res.set('RateLimit-Policy', `${decision.window.points};w=${decision.window.seconds}`);
}

/**
 * Charges `points` to the authenticated tenant: authenticate charges every request 1, and a route that
 * learns a request is worth more (a batch, once parsed) charges the rest. Throws 429 when over.
 */
export async function chargeTenant(limiter: TenantRateLimiter, res: Response, points: number): Promise<void> {
  const { tenantId, tenantRateLimit } = principalOf(res);
  const decision = await limiter.consume(tenantId, tenantRateLimit, points);
  if (!decision) return;
  setRateLimitHeaders(res, decision);
  if (!decision.allowed) {
    throw rateLimited(
      `this tenant's rate limit is ${decision.window.points} requests per ${decision.window.seconds} s`,
      decision.resetSeconds,
    );
  }
}
