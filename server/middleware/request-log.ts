import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../../config/logger';

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * One log line per request, with a request id taken from x-request-id or made here, and echoed back. An
 * error answer's line also has its code (set by the error middleware), so logs can be searched by it.
 */
export function requestLog(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const given = req.get('x-request-id');
    const requestId = given && REQUEST_ID.test(given) ? given : randomUUID();
    res.locals.requestId = requestId;
    res.set('x-request-id', requestId);
    if (!logger.isLevelEnabled('info')) return next();
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const tenantId = (res.locals.principal as { tenantId?: string } | undefined)?.tenantId;
      const code = res.statusCode >= 400 ? (res.locals.errorCode as string | undefined) : undefined;
      logger.info(
        { requestId, method: req.method, url: req.originalUrl, status: res.statusCode, code, ms: Math.round(ms * 10) / 10, tenantId },
        'request',
      );
    });
    next();
  };
}
