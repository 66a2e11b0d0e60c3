// The follow-up part of applying an event, inside its transaction: rows now, timers after commit. The
// transaction has just written the result row, and so holds its lock: follow-up writes for one result
// never race each other.
import type { Logger } from '../config/logger';
import { planFollowUp, type FollowUpState } from '../domain/follow-ups';
import type { FollowUpJobData } from '../domain/jobs';
import type { FollowUpBody } from '../domain/result-body';
import type { ActivityStatus, ResultStatus } from '../domain/statuses';
import type { SqlTransaction } from '../models/sql';
import type { FollowUpTimers } from './follow-up-timers';

export interface FollowUpDeps {
  readonly timers: FollowUpTimers;
  readonly logger: Logger;
}

/** What the follow-up rules need of the result as the event left it. */
export interface FollowUpSource {
  readonly id: string;
  readonly tenantId: string;
  readonly resultStatus: ResultStatus;
  readonly futureScheduledAt: Date | null;
}

interface FollowUpRow {
  readonly id: string;
  readonly state: Exclude<FollowUpState, 'SUPERSEDED'>;
  readonly scheduledAt: Date;
  readonly activityId: string | null;
}

const asBody = (row: FollowUpRow | undefined): FollowUpBody | null =>
  row ? { scheduledAt: row.scheduledAt.toISOString(), state: row.state, activityId: row.activityId } : null;

// The SCHEDULED follow-up of the result first, else its latest CREATED one.
const CURRENT = {
  name: 'current-follow-up',
  text: `SELECT id, state, scheduled_at AS "scheduledAt", activity_id AS "activityId" FROM follow_ups
         WHERE tenant_id = $1 AND result_id = $2 AND state <> 'SUPERSEDED'
         ORDER BY state = 'SCHEDULED' DESC, created_at DESC
         LIMIT 1
         FOR UPDATE`,
};

const SUPERSEDE = { name: 'supersede-follow-up', text: `UPDATE follow_ups SET state = 'SUPERSEDED', updated_at = now() WHERE id = $1` };

const SCHEDULE = {
  name: 'schedule-follow-up',
  text: 'INSERT INTO follow_ups (id, tenant_id, result_id, scheduled_at) VALUES (gen_random_uuid(), $1, $2, $3) RETURNING id',
};

/** Keeps the result's follow-up in step with the event; answers the follow-up the result now has. */
export async function syncFollowUp(
  input: { result: FollowUpSource; activityStatus: ActivityStatus | null; commerceExternalId: string },
  tx: SqlTransaction,
  { timers, logger }: FollowUpDeps,
): Promise<FollowUpBody | null> {
  const { result } = input;
  const [current = null] = await tx.query<FollowUpRow>(CURRENT, [result.tenantId, result.id]);
  const plan = planFollowUp({
    current,
    futureScheduledAt: result.futureScheduledAt,
    activityStatus: input.activityStatus,
    resultStatus: result.resultStatus,
  });

  // A hook that fails only logs: a timer without a committed SCHEDULED row does nothing when it fires,
  // and a row left without its timer is what the reconciler repairs.
  if (plan.supersede && current) {
    await tx.query(SUPERSEDE, [current.id]);
    tx.afterCommit(() =>
      timers.cancel(current.id).catch((error) => logger.warn({ followUpId: current.id, err: error }, 'could not remove a superseded follow-up timer; it will do nothing when it fires')),
    );
  }
  if (plan.schedule) {
    const [row] = await tx.query<{ id: string }>(SCHEDULE, [result.tenantId, result.id, plan.schedule]);
    const data: FollowUpJobData = {
      tenantId: result.tenantId,
      followUpId: row.id,
      commerceExternalId: input.commerceExternalId,
      scheduledAt: plan.schedule.toISOString(),
    };
    tx.afterCommit(() =>
      timers.schedule(data).catch((error) => logger.warn({ followUpId: row.id, err: error }, 'could not add a follow-up timer; the reconciler will add it')),
    );
    return { scheduledAt: data.scheduledAt, state: 'SCHEDULED', activityId: null };
  }
  if (!plan.supersede) return asBody(current ?? undefined);
  // Superseded with nothing new (the date was dropped): an earlier CREATED follow-up, if any, still counts.
  const [remaining] = await tx.query<FollowUpRow>(CURRENT, [result.tenantId, result.id]);
  return asBody(remaining);
}

