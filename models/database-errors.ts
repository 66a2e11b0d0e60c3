// What a failed statement says about the database, by error class and SQLSTATE, never by message text.
// The worker's classifier and the API (fast checks, key lookups) read failures the same way.
import { ConnectionError, DatabaseError, TimeoutError } from 'sequelize';

// Five digits or capitals. A socket's error code (ECONNRESET, EPIPE) sits in the same field when the
// connection failed under a statement.
const SQLSTATE = /^[0-9A-Z]{5}$/;

/** The SQLSTATE of a failed statement: Sequelize wraps the driver's error as `parent`. */
export function sqlStateOf(error: unknown): string | undefined {
  const code = (error as { parent?: { code?: unknown } } | null)?.parent?.code;
  return typeof code === 'string' && SQLSTATE.test(code) ? code : undefined;
}

// Connection exceptions, insufficient resources, operator intervention (shutdown, statement timeout).
const UNAVAILABLE_SQLSTATE_CLASSES = new Set(['08', '53', '57']);

/** The database cannot be reached or cannot serve now: nothing about the request is wrong. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof ConnectionError || error instanceof TimeoutError) return true;
  const state = sqlStateOf(error);
  // PostgreSQL gives every error it answers a SQLSTATE: a Sequelize query error without one is the
  // driver's report that the connection failed under the query (closed, reset, timed out).
  if (state === undefined) return error instanceof DatabaseError;
  return UNAVAILABLE_SQLSTATE_CLASSES.has(state.slice(0, 2));
}

/** SQLSTATE class 22, data exception: a value PostgreSQL will never store (a date out of range, say). */
export function isDataException(error: unknown): boolean {
  return sqlStateOf(error)?.startsWith('22') ?? false;
}
