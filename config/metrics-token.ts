// GET /metrics behind a bearer token (METRICS_TOKEN), shared by the web's and the worker's metrics servers.
import { createHash, timingSafeEqual } from 'node:crypto';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * Whether a request's Authorization header may read the metrics: always when no token is configured.
 * The digests are compared, so the time taken tells nothing about the token or its length.
 */
export function metricsAllowed(authorization: string | undefined, token: string | undefined): boolean {
  if (token === undefined) return true;
  const given = BEARER.exec(authorization ?? '')?.[1] ?? '';
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(token)) && given.length > 0;
}

export const METRICS_CHALLENGE = 'Bearer realm="metrics"';
