// What each event of a batch is answered: the status the single route would have given it, with its
// error, its job or its result. See docs/api.md (POST /api/activity-results/tasks/batch).
import { DomainError, fromFailedReason, type ErrorDetail } from '../domain/errors';
import type { TaskResultJobResult } from '../domain/jobs';
import { withFollowUp, type ResultBody } from '../domain/result-response';
import type { HttpError } from './http-errors';
import type { Finished } from './job-waiter';

export interface BatchItem {
  readonly index: number;
  readonly status: number;
  readonly code?: string;
  readonly message?: string;
  readonly details?: readonly ErrorDetail[];
  readonly jobId?: string;
  readonly result?: ResultBody;
}

export function refusedItem(index: number, error: DomainError | HttpError, jobId?: string): BatchItem {
  const details = error instanceof DomainError ? error.details : error.options.details;
  return {
    index,
    status: error.status,
    code: error.code,
    message: error.message,
    ...(details ? { details } : {}),
    ...(jobId ? { jobId } : {}),
  };
}

export const replayedItem = (index: number, result: ResultBody): BatchItem => ({ index, status: 200, result: withFollowUp(result) });

/**
 * The item of an event that went to the queue. `first`: this is the first event of the batch with this
 * job; a later copy of the same event is its replay (200), as a second single request would be.
 */
export function queuedItem(index: number, jobId: string, finished: Finished | undefined, first: boolean): BatchItem {
  if (!finished) return { index, status: 202, jobId };
  if (finished.state === 'completed') {
    const { outcome, result } = finished.value as TaskResultJobResult;
    return { index, status: outcome === 'created' && first ? 201 : 200, jobId, result: withFollowUp(result) };
  }
  const error = fromFailedReason(finished.reason);
  if (error) return refusedItem(index, error, jobId);
  return { index, status: 503, code: 'SERVICE_UNAVAILABLE', message: 'the event could not be applied yet, send it again later', jobId };
}

/** How many items got each status, keyed by the status. */
export function countsOf(items: readonly BatchItem[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { status } of items) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}
