// The lists' opaque cursor: the (updated_at, id) of the last row of a page, the key the next page starts
// after. updated_at travels as PostgreSQL's text with microseconds: a JavaScript Date keeps milliseconds
// only, and a cursor rounded to them would repeat or skip rows written within the same millisecond.
import { isUuid } from './schemas/common';

export interface PageCursor {
  /** `YYYY-MM-DDTHH:MM:SS.ffffffZ`, as the list query renders updated_at. */
  readonly updatedAt: string;
  readonly id: string;
}

const MICROSECOND_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

export function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify([cursor.updatedAt, cursor.id])).toString('base64url');
}

/** The cursor a page handed out, or undefined for any other text. */
export function decodeCursor(text: string): PageCursor | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(text)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
  const [updatedAt, id] = parsed as unknown[];
  if (typeof updatedAt !== 'string' || !MICROSECOND_UTC.test(updatedAt) || Number.isNaN(Date.parse(updatedAt))) return undefined;
  if (typeof id !== 'string' || !isUuid(id)) return undefined;
  return { updatedAt, id: id.toLowerCase() };
}
