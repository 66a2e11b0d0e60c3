// Guards for Bull Board, an admin UI that acts on every tenant's jobs. Basic auth keeps strangers out;
// because a browser resends basic-auth credentials on its own to any request for the board's origin,
// state-changing requests must also prove they come from the board's own pages, or any page an operator
// visits could retry, clean or remove jobs on their behalf.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { clientAddress, type FailedAuthGuard } from '../failed-auth-guard';
import { HttpError, forbidden } from '../http-errors';
import { sendError } from './errors';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Equal-length digests, so the comparison takes the same time whatever the inputs and their lengths. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function credentialsOf(req: Request): { user: string; password: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(req.get('authorization') ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** A wrong login counts as a failed authentication of its address; past the limit it answers 429. */
export function basicAuth(expected: { user: string; password: string }, realm: string, failures: FailedAuthGuard) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const given = credentialsOf(req);
    // Both comparisons always run: which half was wrong must not show in the timing.
    const userOk = sameSecret(given?.user ?? '', expected.user);
    const passwordOk = sameSecret(given?.password ?? '', expected.password);
    if (userOk && passwordOk) return next();
    // A browser's first request carries no credentials: only a login that was tried counts.
    const waitSeconds = given ? await failures.failed(clientAddress(req.socket)) : undefined;
    if (waitSeconds !== undefined) {
      return sendError(res, {
        status: 429,
        code: 'RATE_LIMITED',
        message: 'too many failed authentications from this address',
        retryAfterSeconds: waitSeconds,
      });
    }
    res.set('WWW-Authenticate', `Basic realm="${realm}", charset="UTF-8"`);
    sendError(res, { status: 401, code: 'UNAUTHORIZED', message: 'Bull Board needs a user name and password' });
  };
}

/**
 * Refuses a state-changing request that a browser marks as coming from another origin. Browsers send
 * `Sec-Fetch-Site` (current ones) and `Origin` (on every PUT/POST/PATCH/DELETE); a request with neither
 * comes from a non-browser client such as curl, which holds the credentials itself and is let through.
 * Only the Host header is compared, not the scheme: behind a TLS-terminating proxy the app sees http
 * while the browser says https, and the host is what tells one site from another.
 */
export function sameOriginWrites(req: Request, _res: Response, next: NextFunction): void {
  if (SAFE_METHODS.has(req.method)) return next();
  const site = req.get('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin') throw crossOrigin(`Sec-Fetch-Site is ${site}`);
  const origin = req.get('origin');
  if (origin !== undefined && hostOf(origin) !== req.get('host')) throw crossOrigin(`Origin ${origin} is not this board`);
  next();
}

/** In read-only mode nothing may change, whatever the board's own checks would say. */
export function readOnly(req: Request, _res: Response, next: NextFunction): void {
  if (SAFE_METHODS.has(req.method)) return next();
  throw new HttpError(403, 'FORBIDDEN', 'Bull Board is read-only (BULL_BOARD_READ_ONLY=true)');
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host; // "null" and other opaque origins do not parse and never match
  } catch {
    return undefined;
  }
}

const crossOrigin = (why: string) => forbidden(`cross-origin board actions are refused: ${why}`);
