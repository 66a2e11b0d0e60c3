import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { HttpError } from '../http-errors';

/** Bodies are JSON: anything else is a 415 before any parsing. */
function requireJsonType(req: Request, _res: Response, next: NextFunction): void {
  if (!req.is('application/json')) {
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
  }
  next();
}

/** For routes with a body, after authentication: content type, then a parse limited to 1 MB. */
export const jsonBody: RequestHandler[] = [requireJsonType, express.json({ limit: '1mb', strict: true })];
