// Section 5 resolution, shared by the HTTP fast checks (no transaction, no locks) and the worker (inside
// its transaction, with row locks so concurrent events for one activity or standalone key serialize).
import { Op, type Transaction } from 'sequelize';
import { DomainError, validationFailed } from '../domain/errors';
import { decide, incomingEvent, type Decision } from '../domain/rules';
import type { ActivityStatus, ResultStatus } from '../domain/statuses';
import type { TaskResultEvent } from '../domain/task-result-event';
import { Activity } from './Activity';
import { ActivityResult } from './ActivityResult';
import { ActivityResultEvent } from './ActivityResultEvent';
import { Commerce } from './Commerce';

export interface ResultTarget {
  /** The activity the event is for; null for a standalone result. */
  readonly activity: Activity | null;
  /** The stored result, when one exists. */
  readonly result: ActivityResult | null;
}

export interface LookupOptions {
  /** When given, rows are read FOR UPDATE inside it. */
  readonly transaction?: Transaction;
}

export async function findResultTarget(tenantId: string, event: TaskResultEvent, { transaction }: LookupOptions = {}): Promise<ResultTarget> {
  const where = event.activity_id
    ? { tenantId, id: event.activity_id }
    : { tenantId, providerActivityId: event.provider_activity_id! };
  const activity = await Activity.findOne({
    where,
    include: [{ model: Commerce, attributes: ['externalId'], required: true }],
    transaction,
    lock: transaction && { level: transaction.LOCK.UPDATE, of: Activity },
  });
  assertResolvable(event, activity && { id: activity.id, commerceExternalId: activity.commerce!.externalId });
  if (!activity) {
    // A standalone key's first two events may race to insert its result: the unique index lets one
    // win and the other's attempt is retried, to find the row and lock it here.
    const result = await ActivityResult.findOne({
      where: { tenantId, providerActivityId: event.provider_activity_id!, activityId: { [Op.is]: null } },
      transaction,
      lock: transaction?.LOCK.UPDATE,
    });
    return { activity: null, result };
  }
  // Read after the activity's lock is held, in a statement of its own: a row joined into the locking
  // statement would come from the snapshot taken before the wait, missing the result the previous
  // holder of the lock just wrote (READ COMMITTED re-reads only the locked row).
  const result = await ActivityResult.findOne({ where: { tenantId, activityId: activity.id }, transaction, lock: transaction?.LOCK.UPDATE });
  return { activity, result };
}

/** The result an already-applied event (same fingerprint) produced, for exact replays. */
export async function findReplayedResult(tenantId: string, fingerprint: string, transaction?: Transaction): Promise<ActivityResult | null> {
  const applied = await ActivityResultEvent.findOne({ where: { tenantId, fingerprint }, attributes: ['resultId'], transaction });
  return applied && ActivityResult.findByPk(applied.resultId, { transaction });
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

export type Judgement = { readonly replayed: ActivityResult } | { readonly decision: Decision };

/**
 * The rules of section 5 for an event against its target, where an event applied before (same
 * fingerprint) is an exact replay rather than stale. An applied event is never newer than its stored
 * result, so only a stale verdict needs the history lookup. (An event applied to another target, a
 * standalone key that has since been linked to an activity, is caught by the history's unique
 * fingerprint when the worker appends it.)
 */
export async function judgeEvent(
  tenantId: string,
  fingerprint: string,
  { activity, result }: TargetState,
  event: TaskResultEvent,
  transaction?: Transaction,
): Promise<Judgement> {
  const replay = async () => {
    const replayed = await findReplayedResult(tenantId, fingerprint, transaction);
    return replayed && { replayed };
  };
  try {
    return {
      decision: decide({
        stored: result && { status: result.resultStatus, occurredAt: result.occurredAt },
        activityStatus: activity?.status ?? null,
        event: incomingEvent(event),
      }),
    };
  } catch (error) {
    const replayed = error instanceof DomainError && error.code === 'STALE_EVENT' ? await replay() : null;
    if (replayed) return replayed;
    throw error;
  }
}
