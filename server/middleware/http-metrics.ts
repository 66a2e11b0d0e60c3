import type { NextFunction, Request, Response } from 'express';
import type { HttpMetrics } from '../metrics';

/**
 * Marks requests under `base` so their route label keeps the mount path: Express resets `req.baseUrl`
 * when an error leaves a router, so it cannot be read back when the response finishes.
 */
export function routeBase(base: string) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    res.locals.routeBase = base;
    next();
  };
}

/**
 * The route template, never the raw path, so ids do not multiply the series. A request that matched no
 * route counts under its mount ("/api/activities/*") or as "unmatched".
 */
export function routeLabel(req: Request, res: Response): string {
  const base = (res.locals.routeBase as string | undefined) ?? '';
  const path = req.route?.path as string | string[] | undefined;
  if (path !== undefined) return `${base}${Array.isArray(path) ? path.join('|') : path}`;
  return base ? `${base}/*` : 'unmatched';
}

export function httpMetrics(metrics: HttpMetrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      metrics.observe(req.method, routeLabel(req, res), res.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}
