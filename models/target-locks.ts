// The worker's view of an event's target (docs/api.md): its activity or standalone key, and its result,
// locked inside the batch's transaction so concurrent events for one target serialize. The worker locks a whole batch's targets in two statements,
// each taking its rows in id order, so two batches never wait on each other in a cycle.
import type { ActivityStatus, ResultStatus } from '../domain/statuses';
import type { TaskResultEvent } from '../domain/task-result-event';
import type { Sql } from './sql';

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
