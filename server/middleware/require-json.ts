import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { JsonTooLarge, parseJsonText } from '../../domain/json-text';
import { HttpError } from '../http-errors';

/** Bodies are JSON, in UTF-8 (RFC 8259): anything else is a 415 before any parsing. */
function requireJsonType(req: Request, _res: Response, next: NextFunction): void {
  if (!req.is('application/json')) {
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
  }
  requireUtf8(req);
  next();
}

/** A charset other than UTF-8 is a 415. */
export function requireUtf8(req: Request): void {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.get('content-type') ?? '')?.[1];
  if (charset !== undefined && charset.toLowerCase() !== 'utf-8')
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body in UTF-8');
}

/**
 * The body's value, with numbers exactly as sent (see domain/json-text.ts); the text itself stays in
 * `res.locals.bodyText`, for the job and the history.
 */
function parseBody(req: Request, res: Response, next: NextFunction): void {
  const text = typeof req.body === 'string' ? req.body : '';
  res.locals.bodyText = text;
  try {
    req.body = text.trim() === '' ? undefined : parseJsonText(text);
  } catch (error) {
    if (error instanceof JsonTooLarge)
      throw new HttpError(400, 'VALIDATION_FAILED', error.message, { details: [{ path: '', message: error.message }] });
    const why = error instanceof Error ? `: ${error.message.slice(0, 200)}` : '';
    throw new HttpError(400, 'VALIDATION_FAILED', `the body is not valid JSON${why}`);
  }
  next();
}

/** The JSON text of a request whose body went through `jsonBody`. */
export function bodyTextOf(res: Response): string {
  return res.locals.bodyText as string;
}

/** For routes with a body, after authentication: content type, then a read limited to 1 MB, then the parse. */
export const jsonBody: RequestHandler[] = [
  requireJsonType,
  express.text({ type: () => true, limit: '1mb', defaultCharset: 'utf-8' }),
  parseBody,
];
