// Response headers that keep browsers from misreading or keeping what the service answers.
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';

/** API and health answers: one tenant's data, never to be sniffed into another type or kept in a cache. */
export function apiHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.set('X-Content-Type-Options', 'nosniff');
  res.set('Cache-Control', 'no-store');
  next();
}

/**
 * Bull Board's pages: its scripts, styles and API calls come from the board itself, so the policy allows
 * only that (plus the inline styles its React components set), and no page may frame the board, which
 * would let it trick an operator into clicking its buttons. The web font the board links from a third
 * party is not loaded; the board falls back to the system's fonts.
 */
export const boardHeaders = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      'default-src': ["'self'"],
      'base-uri': ["'self'"],
      'script-src': ["'self'"],
      'script-src-attr': ["'none'"],
      'style-src': ["'self'", "'unsafe-inline'"],
      'img-src': ["'self'", 'data:'],
      'font-src': ["'self'", 'data:'],
      'connect-src': ["'self'"],
      'worker-src': ["'self'", 'blob:'],
      'object-src': ["'none'"],
      'form-action': ["'self'"],
      'frame-ancestors': ["'none'"],
    },
  },
  xFrameOptions: { action: 'deny' },
});
