// The one place errors become HTTP answers: {statusCode, error, message, code, details?}. A 5xx never
// carries a stack trace or an internal message.
import { STATUS_CODES } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../../config/logger';
import { DomainError, type ErrorDetail } from '../../domain/errors';
import { HttpError } from '../http-errors';

interface Answer {
  status: number;
  code: string;
  message: string;
  details?: readonly ErrorDetail[];
  retryAfterSeconds?: number;
}

// body-parser reports its failures as errors with a `type`.
const BODY_ERRORS: Record<string, Omit<Answer, 'message'> & { message: string }> = {
  'entity.parse.failed': { status: 400, code: 'VALIDATION_FAILED', message: 'the body is not valid JSON' },
  'entity.too.large': { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'the body is larger than 1 MB' },
  'encoding.unsupported': { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'unsupported content encoding' },
  'charset.unsupported': { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'unsupported charset' },
  'request.aborted': { status: 400, code: 'VALIDATION_FAILED', message: 'the request was aborted' },
};

// Other broken requests reach us as errors with a 4xx `status` (the http-errors convention): a path
// that is not valid percent-encoding (the router), a body that does not decompress (the body parser).
const CLIENT_ERRORS: Record<number, Answer> = {
  400: { status: 400, code: 'VALIDATION_FAILED', message: 'the request cannot be read: malformed path, body or content encoding' },
  413: BODY_ERRORS['entity.too.large'],
  415: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'unsupported content type or encoding' },
};

function toAnswer(error: unknown): Answer | undefined {
  if (error instanceof DomainError) return { status: error.status, code: error.code, message: error.message, details: error.details };
  if (error instanceof HttpError) return { status: error.status, code: error.code, message: error.message, ...error.options };
  const type = (error as { type?: unknown })?.type;
  if (typeof type === 'string' && type in BODY_ERRORS) return BODY_ERRORS[type];
  const status = (error as { status?: unknown })?.status;
  if (typeof status === 'number' && status in CLIENT_ERRORS) return CLIENT_ERRORS[status];
  return undefined;
}

export function sendError(res: Response, answer: Answer): void {
  if (answer.retryAfterSeconds !== undefined) res.set('Retry-After', String(answer.retryAfterSeconds));
  // Answered before the body has arrived (a 401, 413 or 415 on the headers alone): Node would go on
  // reading the body to keep the connection, as slowly as the client cares to send it. Closing is what
  // makes the early answer cost the server nothing.
  if (!res.req.complete) res.set('Connection', 'close');
  res.locals.errorCode = answer.code; // for the request's log line
  res.status(answer.status).json({
    statusCode: answer.status,
    error: STATUS_CODES[answer.status] ?? 'Error',
    message: answer.message,
    code: answer.code,
    ...(answer.details ? { details: answer.details } : {}),
  });
}

export function errorHandler(logger: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const answer = toAnswer(error);
    if (!answer) logger.error({ err: error, method: req.method, url: req.originalUrl }, 'unhandled error');
    if (res.headersSent) return void res.end();
    sendError(res, answer ?? { status: 500, code: 'INTERNAL_ERROR', message: 'internal error' });
  };
}

export function notFound(req: Request, res: Response): void {
  sendError(res, { status: 404, code: 'NOT_FOUND', message: `no route ${req.method} ${req.path}` });
}
