// The follow-up part of applying a batch of events, inside its transaction: rows now, timers after
// commit. The transaction has just written the results, and so holds their locks: follow-up writes for
// one result never race each other. Follow-up rows are locked after the results, the order every
// transaction takes them in (create-follow-up-activity.ts too).
import { randomUUID } from 'node:crypto';
import type { Logger } from '../config/logger';
import { planFollowUp, type FollowUpPlan, type FollowUpState } from '../domain/follow-ups';
import type { FollowUpJobData } from '../domain/jobs';
import type { FollowUpBody } from '../domain/result-response';
import type { ActivityStatus, ResultStatus } from '../domain/statuses';
import type { SqlTransaction } from '../models/sql';
import type { FollowUpTimers } from './follow-up-timers';

export interface FollowUpDeps {
  readonly timers: FollowUpTimers;
  readonly logger: Logger;
}

/** What the follow-up rules need of a result as its event left it. */
export interface FollowUpSource {
  readonly result: {
    readonly id: string;
    readonly tenantId: string;
    readonly resultStatus: ResultStatus;
    readonly futureScheduledAt: Date | null;
  };
  /** The activity's status after the event; null for a standalone result. */
  readonly activityStatus: ActivityStatus | null;
  readonly commerceExternalId: string;
}

interface FollowUpRow {
  readonly id: string;
  readonly resultId: string;
  readonly state: Exclude<FollowUpState, 'SUPERSEDED'>;
  readonly scheduledAt: Date;
  readonly activityId: string | null;
  readonly createdAt: Date;
}

const LOCK = `
  SELECT f.id, f.result_id AS "resultId", f.state, f.scheduled_at AS "scheduledAt", f.activity_id AS "activityId", f.created_at AS "createdAt"
  FROM follow_ups f
  WHERE f.id IN (
    SELECT f.id FROM unnest($1::uuid[], $2::uuid[]) AS k (tenant_id, result_id)
    JOIN follow_ups f ON f.tenant_id = k.tenant_id AND f.result_id = k.result_id AND f.state <> 'SUPERSEDED'
  )
  ORDER BY f.id
  FOR UPDATE`;

// The superseded rows are updated before the new ones go in (the scalar subquery runs first): a result
// has at most one SCHEDULED follow-up at any moment.
const WRITE = `
  WITH superseded AS (
    UPDATE follow_ups SET state = 'SUPERSEDED', updated_at = now() WHERE id = ANY($1::uuid[]) RETURNING id
  )
  INSERT INTO follow_ups (id, tenant_id, result_id, scheduled_at)
  SELECT * FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::timestamptz[])
  WHERE (SELECT count(*) FROM superseded) >= 0`;

const asBody = (row: FollowUpRow | undefined): FollowUpBody | null =>
  row ? { scheduledAt: row.scheduledAt.toISOString(), state: row.state, activityId: row.activityId } : null;

/** The follow-ups that count for one result: the SCHEDULED one first, else its latest CREATED one. */
function current(rows: readonly FollowUpRow[]): { scheduled?: FollowUpRow; created?: FollowUpRow } {
  const scheduled = rows.find((r) => r.state === 'SCHEDULED');
  const created = rows.filter((r) => r.state === 'CREATED').sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
  return { scheduled, created };
}

/** Keeps each result's follow-up in step with its event; answers the follow-up each result now has, in order. */
export async function syncFollowUps(
  sources: readonly FollowUpSource[],
  tx: SqlTransaction,
  { timers, logger }: FollowUpDeps,
): Promise<(FollowUpBody | null)[]> {
  if (sources.length === 0) return [];
  const rows = await tx.query<FollowUpRow>(LOCK, [sources.map((s) => s.result.tenantId), sources.map((s) => s.result.id)]);
  const supersede: FollowUpRow[] = [];
  const schedule: { readonly resultId: string; readonly data: FollowUpJobData }[] = [];
  const bodies = sources.map(({ result, activityStatus, commerceExternalId }) => {
    const { scheduled, created } = current(rows.filter((r) => r.resultId === result.id));
    const plan: FollowUpPlan = planFollowUp({
      current: scheduled ?? created ?? null,
      futureScheduledAt: result.futureScheduledAt,
      activityStatus,
      resultStatus: result.resultStatus,
    });
    if (plan.supersede && scheduled) supersede.push(scheduled);
    if (plan.schedule) {
      const data = { tenantId: result.tenantId, followUpId: randomUUID(), commerceExternalId, scheduledAt: plan.schedule.toISOString() };
      schedule.push({ resultId: result.id, data });
      return { scheduledAt: data.scheduledAt, state: 'SCHEDULED' as const, activityId: null };
    }
    // Superseded with nothing new (the date was dropped): an earlier CREATED follow-up, if any, still counts.
    return asBody(plan.supersede ? created : (scheduled ?? created));
  });
  if (supersede.length === 0 && schedule.length === 0) return bodies;

  await tx.query(WRITE, [
    supersede.map((r) => r.id),
    schedule.map((s) => s.data.followUpId),
    schedule.map((s) => s.data.tenantId),
    schedule.map((s) => s.resultId),
    schedule.map((s) => s.data.scheduledAt),
  ]);
  // A hook that fails only logs: a timer without a committed SCHEDULED row does nothing when it fires,
  // and a row left without its timer is what the reconciler repairs.
  tx.afterCommit(() => {
    for (const { id } of supersede) {
      timers
        .cancel(id)
        .catch((error) =>
          logger.warn({ followUpId: id, err: error }, 'could not remove a superseded follow-up timer; it will do nothing when it fires'),
        );
    }
    for (const { data } of schedule) {
      timers
        .schedule(data)
        .catch((error) =>
          logger.warn({ followUpId: data.followUpId, err: error }, 'could not add a follow-up timer; the reconciler will add it'),
        );
    }
  });
  return bodies;
}
