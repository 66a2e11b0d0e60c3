// The body of POST /api/activity-results/tasks/batch: a JSON array of events or NDJSON, perhaps
// compressed, read to at most 5 MB once decompressed and cut into each event's own JSON text, as sent.
// The caps are in docs/limits.md.
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { JsonBatchMalformed, JsonBatchTooLarge, splitJsonArray, splitJsonLines } from '../../domain/json-text';
import { HttpError } from '../http-errors';
import { requireUtf8 } from './require-json';

export const MAX_BATCH_EVENTS = 1_000;
export const MAX_BATCH_BYTES = 5 * 1024 * 1024;
export const NDJSON = 'application/x-ndjson';

const tooLarge = (message: string) => new HttpError(413, 'PAYLOAD_TOO_LARGE', message);

function requireBatchType(req: Request, res: Response, next: NextFunction): void {
  const type = req.is(['application/json', NDJSON]);
  if (!type) throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', `send the batch as application/json (an array of events) or ${NDJSON}`);
  requireUtf8(req);
  res.locals.batchIsNdjson = type === NDJSON;
  next();
}

// body-parser decompresses as it reads and stops at the limit, counted on the decompressed bytes: a
// small body that inflates to gigabytes costs 5 MB of memory and is refused.
const readText = express.text({ type: () => true, limit: MAX_BATCH_BYTES, defaultCharset: 'utf-8' });

function readBatchText(req: Request, res: Response, next: NextFunction): void {
  readText(req, res, (error?: unknown) => {
    if ((error as { type?: unknown })?.type === 'entity.too.large') return next(tooLarge('the batch is larger than 5 MB (decompressed)'));
    next(error);
  });
}

function splitBatch(req: Request, res: Response, next: NextFunction): void {
  const text = typeof req.body === 'string' ? req.body : '';
  try {
    res.locals.batchTexts = res.locals.batchIsNdjson ? splitJsonLines(text, MAX_BATCH_EVENTS) : splitJsonArray(text, MAX_BATCH_EVENTS);
  } catch (error) {
    if (error instanceof JsonBatchTooLarge) throw tooLarge(`a batch holds at most ${MAX_BATCH_EVENTS} events`);
    if (error instanceof JsonBatchMalformed)
      throw new HttpError(400, 'VALIDATION_FAILED', error.message, { details: [{ path: '', message: error.message }] });
    throw error;
  }
  req.body = undefined;
  next();
}

/** The event texts of a request whose body went through `batchBody`, in request order. */
export function batchTextsOf(res: Response): string[] {
  return res.locals.batchTexts as string[];
}

/** After authentication: content type, a read limited to 5 MB decompressed, then the cut into events. */
export const batchBody: RequestHandler[] = [requireBatchType, readBatchText, splitBatch];
