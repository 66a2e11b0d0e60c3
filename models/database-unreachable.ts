// Whether a failed query says the database is away for the moment (refused or lost connection, timeout,
// shutting down, out of connections) rather than that the query or the data is wrong. The first is worth
// a retry later (503); the second is a bug to log (500). By error class and SQLSTATE, never by message.
import { BaseError, ConnectionError, DatabaseError, TimeoutError } from 'sequelize';
import { ConnectionLost, PgDatabaseError } from './sql';

// Connection exception, insufficient resources, operator intervention (shutdown, statement timeout).
const UNAVAILABLE_SQLSTATE_CLASSES = new Set(['08', '53', '57']);

export function isDatabaseUnreachable(error: unknown): boolean {
  if (error instanceof ConnectionError || error instanceof TimeoutError || error instanceof ConnectionLost) return true;
  const driverError = error instanceof DatabaseError ? (error as BaseError & { parent?: unknown }).parent : error;
  if (driverError instanceof PgDatabaseError) return UNAVAILABLE_SQLSTATE_CLASSES.has(String(driverError.code).slice(0, 2));
  // PostgreSQL gives every error it answers a SQLSTATE: a query error without one is the driver's
  // report that the connection failed under it (closed, reset, timed out).
  return error instanceof DatabaseError;
}
