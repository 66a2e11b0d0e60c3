// Resolving an event to its activity or standalone key (docs/api.md), shared by the HTTP fast checks (no
// transaction, no locks) and the worker (inside its transaction, with row locks so concurrent events for
// one activity or standalone key serialize).
import { DomainError, validationFailed } from '../domain/errors';
import type { ResultRecord } from '../domain/result-body';
import { decide, incomingEvent, type Decision } from '../domain/rules';
import type { ActivityStatus, ResultStatus } from '../domain/statuses';
import type { TaskResultEvent } from '../domain/task-result-event';
import { FOLLOW_UP_COLUMNS, followUpJoin } from './result-follow-up';
import type { Sql } from './sql';

/** A result row as the hot paths read it: what a result body and the follow-up rules need. */
export interface ResultRow extends ResultRecord {
  readonly tenantId: string;
}

export interface ActivityRow {
  readonly id: string;
  readonly status: ActivityStatus;
  readonly commerceId: string;
  readonly commerceExternalId: string;
  readonly providerActivityId: string | null;
}

export interface ResultTarget {
  /** The activity the event is for; null for a standalone result. */
  readonly activity: ActivityRow | null;
  /** The stored result, when one exists. */
  readonly result: LockedResult | null;
}

/** What the rules and the write need of a stored result; the write returns the whole row. */
export type LockedResult = Pick<ResultRow, 'id' | 'resultStatus' | 'occurredAt' | 'futureScheduledAt'>;

const LOCKED_RESULT_COLUMNS = `r.id, r.result_status AS "resultStatus", r.occurred_at AS "occurredAt",
  r.future_scheduled_at AS "futureScheduledAt"`;

/** The columns of a ResultRow, for SELECT and RETURNING lists: the table goes by the alias `r`. */
export const RESULT_COLUMNS = `r.id, r.tenant_id AS "tenantId", r.activity_id AS "activityId", r.source,
  r.result_status AS "resultStatus", r.external_status AS "externalStatus", r.occurred_at AS "occurredAt",
  r.task_result AS "taskResult", r.task_comment AS "taskComment", r.contact_type AS "contactType",
  r.operator_external_id AS "operatorExternalId", r.future_scheduled_at AS "futureScheduledAt",
  r.task_payload AS "taskPayload", r.created_at AS "createdAt", r.updated_at AS "updatedAt"`;

const ACTIVITY_COLUMNS = `a.id, a.status, a.commerce_id AS "commerceId", c.external_id AS "commerceExternalId",
  a.provider_activity_id AS "providerActivityId"`;

const LOCK_ACTIVITY_BY_ID = {
  name: 'lock-activity-by-id',
  text: `SELECT ${ACTIVITY_COLUMNS} FROM activities a JOIN commerces c ON c.id = a.commerce_id
         WHERE a.tenant_id = $1 AND a.id = $2 FOR UPDATE OF a`,
};

const LOCK_ACTIVITY_BY_PROVIDER_ID = {
  name: 'lock-activity-by-provider-id',
  text: `SELECT ${ACTIVITY_COLUMNS} FROM activities a JOIN commerces c ON c.id = a.commerce_id
         WHERE a.tenant_id = $1 AND a.provider_activity_id = $2 FOR UPDATE OF a`,
};

const LOCK_ACTIVITY_RESULT = {
  name: 'lock-activity-result',
  text: `SELECT ${LOCKED_RESULT_COLUMNS} FROM activity_results r WHERE r.tenant_id = $1 AND r.activity_id = $2 FOR UPDATE`,
};

const LOCK_STANDALONE_RESULT = {
  name: 'lock-standalone-result',
  text: `SELECT ${LOCKED_RESULT_COLUMNS} FROM activity_results r
         WHERE r.tenant_id = $1 AND r.provider_activity_id = $2 AND r.activity_id IS NULL FOR UPDATE`,
};

// A provider key's standalone result, unless an activity has the key (it would win): the common case of
// a standalone key locked in one statement.
const LOCK_STANDALONE_RESULT_UNLESS_LINKED = {
  name: 'lock-standalone-result-unless-linked',
  text: `SELECT ${LOCKED_RESULT_COLUMNS} FROM activity_results r
         WHERE r.tenant_id = $1 AND r.provider_activity_id = $2 AND r.activity_id IS NULL
           AND NOT EXISTS (SELECT 1 FROM activities a WHERE a.tenant_id = $1 AND a.provider_activity_id = $2)
         FOR UPDATE`,
};

const REPLAYED_RESULT = {
  name: 'replayed-result',
  text: `SELECT ${RESULT_COLUMNS}, ${FOLLOW_UP_COLUMNS}
         FROM activity_result_events e JOIN activity_results r ON r.id = e.result_id
         ${followUpJoin('r.tenant_id', 'r.id')}
         WHERE e.tenant_id = $1 AND e.fingerprint = $2`,
};

/** Inside a transaction: the event's activity (or none) and its result, each locked FOR UPDATE. */
export async function lockResultTarget(tx: Sql, tenantId: string, event: TaskResultEvent): Promise<ResultTarget> {
  if (!event.activity_id) {
    const [standalone] = await tx.query<LockedResult>(LOCK_STANDALONE_RESULT_UNLESS_LINKED, [tenantId, event.provider_activity_id]);
    if (standalone) return { activity: null, result: standalone };
  }
  const [activity = null] = event.activity_id
    ? await tx.query<ActivityRow>(LOCK_ACTIVITY_BY_ID, [tenantId, event.activity_id])
    : await tx.query<ActivityRow>(LOCK_ACTIVITY_BY_PROVIDER_ID, [tenantId, event.provider_activity_id]);
  assertResolvable(event, activity);
  // The result is read after the activity's lock is held, in a statement of its own: a row joined into
  // the locking statement would come from the snapshot taken before the wait, missing the result the
  // previous holder of the lock just wrote (READ COMMITTED re-reads only the locked row).
  // A standalone key's first two events may both find no row to lock: the unique index lets one insert
  // its result, and the other's transaction runs again to find that row and lock it here.
  const [result = null] = activity
    ? await tx.query<LockedResult>(LOCK_ACTIVITY_RESULT, [tenantId, activity.id])
    : await tx.query<LockedResult>(LOCK_STANDALONE_RESULT, [tenantId, event.provider_activity_id]);
  return { activity, result };
}

/** The result an already-applied event (same fingerprint) produced, for exact replays. */
export async function findReplayedResult(sql: Sql, tenantId: string, fingerprint: string): Promise<ResultRow | null> {
  const [result = null] = await sql.query<ResultRow>(REPLAYED_RESULT, [tenantId, fingerprint]);
  return result;
}

/** An unknown activity_id is a 404; a linked event must name its activity's own commerce. */
export function assertResolvable(event: TaskResultEvent, activity: { id: string; commerceExternalId: string } | null): void {
  if (!activity && event.activity_id) throw new DomainError('ACTIVITY_NOT_FOUND', `activity ${event.activity_id} not found`);
  if (activity && activity.commerceExternalId !== event.commerce_external_id) {
    throw validationFailed("commerce_external_id does not match the activity's commerce", [
      { path: 'commerce_external_id', message: `"commerce_external_id" is not the commerce of activity ${activity.id}` },
    ]);
  }
}

/** What the rules need to know of a target, however it was read. */
export interface TargetState {
  readonly activity: { readonly status: ActivityStatus } | null;
  readonly result: { readonly resultStatus: ResultStatus; readonly occurredAt: Date } | null;
}

export type Judgement = { readonly replayed: ResultRow } | { readonly decision: Decision };

/**
 * The domain rules for an event against its target, where an event applied before (same
 * fingerprint) is an exact replay rather than stale. An applied event is never newer than its stored
 * result, so only a stale verdict needs the history lookup. (An event applied to another target, a
 * standalone key that has since been linked to an activity, is caught by the history's unique
 * fingerprint when the worker appends it.)
 */
export async function judgeEvent(sql: Sql, tenantId: string, fingerprint: string, { activity, result }: TargetState, event: TaskResultEvent): Promise<Judgement> {
  try {
    return {
      decision: decide({
        stored: result && { status: result.resultStatus, occurredAt: result.occurredAt },
        activityStatus: activity?.status ?? null,
        event: incomingEvent(event),
      }),
    };
  } catch (error) {
    const replayed = error instanceof DomainError && error.code === 'STALE_EVENT' ? await findReplayedResult(sql, tenantId, fingerprint) : null;
    if (replayed) return { replayed };
    throw error;
  }
}
