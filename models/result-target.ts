// Resolving events to their activity or standalone key (docs/api.md), shared by the HTTP fast checks (no
// transaction, no locks) and the worker (inside its transaction, with row locks so concurrent events for
// one activity or standalone key serialize). The worker locks a whole batch's targets in two statements,
// each taking its rows in id order, so two batches never wait on each other in a cycle.
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
  readonly tenantId: string;
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
export interface LockedResult {
  readonly id: string;
  readonly resultStatus: ResultStatus;
  readonly occurredAt: Date;
  readonly futureScheduledAt: Date | null;
}

/** How an event names its target: an activity id, else a provider key (an activity's or a standalone one). */
export interface TargetKey {
  readonly tenantId: string;
  readonly activityId: string | null;
  readonly providerActivityId: string | null;
}

export function targetKeyOf(tenantId: string, event: TaskResultEvent): TargetKey {
  return { tenantId, activityId: event.activity_id ?? null, providerActivityId: event.provider_activity_id ?? null };
}

/** The columns of a ResultRow, for SELECT and RETURNING lists: the table goes by the alias `r`. */
export const RESULT_COLUMNS = `r.id, r.tenant_id AS "tenantId", r.activity_id AS "activityId", r.source,
  r.result_status AS "resultStatus", r.external_status AS "externalStatus", r.occurred_at AS "occurredAt",
  r.task_result AS "taskResult", r.task_comment AS "taskComment", r.contact_type AS "contactType",
  r.operator_external_id AS "operatorExternalId", r.future_scheduled_at AS "futureScheduledAt",
  r.task_payload AS "taskPayload", r.created_at AS "createdAt", r.updated_at AS "updatedAt"`;

// The ids are found first without locks, then locked in id order: rows a statement locks are taken in
// the order it returns them. An activity id wins over a provider key; the key is its activity's if one
// has it.
const LOCK_ACTIVITIES = `
  WITH k AS (SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS k (tenant_id, activity_id, provider_activity_id)),
  ids AS (
    SELECT a.id FROM k JOIN activities a ON a.tenant_id = k.tenant_id AND a.id = k.activity_id
    UNION
    SELECT a.id FROM k JOIN activities a ON a.tenant_id = k.tenant_id AND a.provider_activity_id = k.provider_activity_id
    WHERE k.activity_id IS NULL
  )
  SELECT a.id, a.tenant_id AS "tenantId", a.status, a.commerce_id AS "commerceId", c.external_id AS "commerceExternalId",
    a.provider_activity_id AS "providerActivityId"
  FROM activities a JOIN commerces c ON c.id = a.commerce_id
  WHERE a.id IN (SELECT id FROM ids)
  ORDER BY a.id
  FOR UPDATE OF a`;

// Run after the activities are locked, as a statement of its own: a row joined into the locking
// statement would come from the snapshot taken before a lock wait, missing the result the previous
// holder of the lock just wrote (READ COMMITTED re-reads only the locked row).
const LOCK_RESULTS = `
  WITH ids AS (
    SELECT r.id FROM unnest($1::uuid[], $2::uuid[]) AS k (tenant_id, activity_id)
    JOIN activity_results r ON r.tenant_id = k.tenant_id AND r.activity_id = k.activity_id
    UNION
    SELECT r.id FROM unnest($3::uuid[], $4::text[]) AS k (tenant_id, provider_activity_id)
    JOIN activity_results r ON r.tenant_id = k.tenant_id AND r.provider_activity_id = k.provider_activity_id AND r.activity_id IS NULL
  )
  SELECT r.id, r.tenant_id AS "tenantId", r.activity_id AS "activityId", r.provider_activity_id AS "providerActivityId",
    r.result_status AS "resultStatus", r.occurred_at AS "occurredAt", r.future_scheduled_at AS "futureScheduledAt"
  FROM activity_results r
  WHERE r.id IN (SELECT id FROM ids)
  ORDER BY r.id
  FOR UPDATE`;

const REPLAYED_RESULTS = `
  SELECT e.fingerprint, ${RESULT_COLUMNS}, ${FOLLOW_UP_COLUMNS}
  FROM unnest($1::uuid[], $2::text[]) AS k (tenant_id, fingerprint)
  JOIN activity_result_events e ON e.tenant_id = k.tenant_id AND e.fingerprint = k.fingerprint
  JOIN activity_results r ON r.id = e.result_id
  ${followUpJoin('r.tenant_id', 'r.id')}`;

const byProviderKey = (tenantId: string, providerActivityId: string | null) => `${tenantId}\n${providerActivityId}`;

type LockedRow = LockedResult & { tenantId: string; activityId: string | null; providerActivityId: string | null };

/**
 * Inside a transaction: each key's activity (or none) and its result, locked FOR UPDATE. A standalone
 * key's first events may find no result to lock: the unique index lets one transaction insert it, and
 * the others run again to find that row and lock it here.
 */
export async function lockResultTargets(tx: Sql, keys: readonly TargetKey[]): Promise<ResultTarget[]> {
  const activities = await tx.query<ActivityRow>(LOCK_ACTIVITIES, [
    keys.map((k) => k.tenantId),
    keys.map((k) => k.activityId),
    keys.map((k) => (k.activityId ? null : k.providerActivityId)),
  ]);
  const activityById = new Map(activities.map((a) => [a.id, a]));
  const activityByKey = new Map(activities.map((a) => [byProviderKey(a.tenantId, a.providerActivityId), a]));
  const activityOf = (k: TargetKey) =>
    (k.activityId ? activityById.get(k.activityId) : activityByKey.get(byProviderKey(k.tenantId, k.providerActivityId))) ?? null;
  const linked = keys.map(activityOf);
  const standalone = keys.filter((k, i) => !k.activityId && !linked[i]);
  const results = await tx.query<LockedRow>(LOCK_RESULTS, [
    activities.map((a) => a.tenantId),
    activities.map((a) => a.id),
    standalone.map((k) => k.tenantId),
    standalone.map((k) => k.providerActivityId),
  ]);
  const resultOfActivity = new Map(results.filter((r) => r.activityId).map((r) => [r.activityId, r]));
  const resultOfKey = new Map(results.filter((r) => !r.activityId).map((r) => [byProviderKey(r.tenantId, r.providerActivityId), r]));
  return keys.map((k, i) => {
    const activity = linked[i];
    const result = activity
      ? resultOfActivity.get(activity.id)
      : k.activityId
        ? undefined
        : resultOfKey.get(byProviderKey(k.tenantId, k.providerActivityId));
    return { activity, result: result ? lockedResult(result) : null };
  });
}

function lockedResult({ id, resultStatus, occurredAt, futureScheduledAt }: LockedRow): LockedResult {
  return { id, resultStatus, occurredAt, futureScheduledAt };
}

/** The key of findReplayedResults' answers. */
export const replayKey = (tenantId: string, fingerprint: string) => `${tenantId}\n${fingerprint}`;

/** The results already-applied events (same tenant and fingerprint) produced, by replayKey, for exact replays. */
export async function findReplayedResults(
  sql: Sql,
  events: readonly { readonly tenantId: string; readonly fingerprint: string }[],
): Promise<Map<string, ResultRow>> {
  if (events.length === 0) return new Map();
  const rows = await sql.query<ResultRow & { fingerprint: string }>(REPLAYED_RESULTS, [
    events.map((e) => e.tenantId),
    events.map((e) => e.fingerprint),
  ]);
  return new Map(rows.map(({ fingerprint, ...row }) => [replayKey(row.tenantId, fingerprint), row]));
}

export async function findReplayedResult(sql: Sql, tenantId: string, fingerprint: string): Promise<ResultRow | null> {
  return (await findReplayedResults(sql, [{ tenantId, fingerprint }])).get(replayKey(tenantId, fingerprint)) ?? null;
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

/** The domain rules for an event against its target; throws the first DomainError it meets. */
export function decideFor({ activity, result }: TargetState, event: TaskResultEvent): Decision {
  return decide({
    stored: result && { status: result.resultStatus, occurredAt: result.occurredAt },
    activityStatus: activity?.status ?? null,
    event: incomingEvent(event),
  });
}

/** A stale verdict may be an exact replay: an event applied before (same fingerprint) is answered, not refused. */
export const isStale = (error: unknown): error is DomainError => error instanceof DomainError && error.code === 'STALE_EVENT';

export type Judgement = { readonly replayed: ResultRow } | { readonly decision: Decision };

/**
 * The rules for one event, where an event applied before is an exact replay rather than stale. An
 * applied event is never newer than its stored result, so only a stale verdict needs the history
 * lookup. (An event applied to another target, a standalone key that has since been linked to an
 * activity, is caught by the history's unique fingerprint when the worker appends it.)
 */
export async function judgeEvent(
  sql: Sql,
  tenantId: string,
  fingerprint: string,
  target: TargetState,
  event: TaskResultEvent,
): Promise<Judgement> {
  try {
    return { decision: decideFor(target, event) };
  } catch (error) {
    const replayed = isStale(error) ? await findReplayedResult(sql, tenantId, fingerprint) : null;
    if (replayed) return { replayed };
    throw error;
  }
}
