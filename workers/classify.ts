// The one place that decides whether a failed attempt is worth another. Domain errors never improve with
// time: they fail the job at once with their code. Everything else (lost connections, deadlocks,
// serialization failures, lock timeouts, a unique-key race with a concurrent insert) is retried with
// backoff, but for a data exception (SQLSTATE class 22): PostgreSQL will refuse that value every time.
// Classification is by error class and SQLSTATE, never by message text.
import { BaseError, ConnectionError, DatabaseError, TimeoutError, UniqueConstraintError } from 'sequelize';
import { DomainError } from '../domain/errors';
import { isDataException, sqlStateOf } from '../models/database-errors';
import { TargetBusy } from './group-commit';

export type Classification =
  | { readonly retry: false; readonly error: DomainError }
  | {
      readonly retry: true;
      readonly reason: string;
      /** A short fixed code for logs and metrics labels. */
      readonly code: string;
      /** No connection could be had: the database is away, so the job should wait without spending an attempt. */
      readonly waitForDatabase?: true;
    };

// SQLSTATE classes and codes that describe the moment, not the event.
const TRANSIENT_SQLSTATE_CLASSES = ['08', '53', '57'];
const TRANSIENT_SQLSTATES = new Set(['40001', '40P01', '55P03', '55006']);

const UNIQUE_VIOLATION = '23505';

export function classify(error: unknown): Classification {
  if (error instanceof DomainError) return { retry: false, error };
  if (error instanceof ConnectionError)
    return { retry: true, reason: 'database unreachable', code: 'DATABASE_CONNECTION', waitForDatabase: true };
  if (error instanceof TimeoutError) return { retry: true, reason: 'database timeout', code: 'DATABASE_TIMEOUT' };
  if (error instanceof TargetBusy) return { retry: true, reason: 'concurrent first events for one key', code: 'TARGET_BUSY' };
  const state = sqlStateOf(error);
  if (isDataException(error)) {
    return {
      retry: false,
      error: new DomainError('UNSTORABLE_EVENT', `PostgreSQL cannot store a value of this event (SQLSTATE ${state})`),
    };
  }
  if (error instanceof UniqueConstraintError || state === UNIQUE_VIOLATION)
    return { retry: true, reason: 'concurrent insert', code: 'CONCURRENT_INSERT' };
  if (error instanceof DatabaseError && state) {
    if (TRANSIENT_SQLSTATES.has(state) || TRANSIENT_SQLSTATE_CLASSES.includes(state.slice(0, 2))) {
      return { retry: true, reason: `database ${state}`, code: `DATABASE_${state}` };
    }
  }
  // Unknown errors are retried too: a bug shows up in Bull Board with its attempts, not as a lost event.
  // `code` is a metrics label, so it stays within a small fixed set.
  return error instanceof BaseError
    ? { retry: true, reason: error.name, code: 'DATABASE_ERROR' }
    : { retry: true, reason: 'unexpected error', code: 'UNEXPECTED' };
}
