// The judgement of one event against its target, shared by the HTTP fast checks (rows read without locks)
// and the worker (rows locked in its transaction): the same rules, however the target was read.
import { DomainError, validationFailed } from './errors';
import { decide, incomingEvent, type Decision } from './rules';
import type { ActivityStatus, ResultStatus } from './statuses';
import type { TaskResultEvent } from './task-result-event';

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

export type Judgement<R> = { readonly replayed: R } | { readonly decision: Decision };

/**
 * The rules for one event, where an event applied before is an exact replay rather than stale. An
 * applied event is never newer than its stored result, so only a stale verdict needs the history
 * lookup. (An event applied to another target, a standalone key that has since been linked to an
 * activity, is caught by the history's unique fingerprint when the worker appends it.)
 */
export async function judgeEvent<R>(
  target: TargetState,
  event: TaskResultEvent,
  findReplayed: () => Promise<R | null>,
): Promise<Judgement<R>> {
  try {
    return { decision: decideFor(target, event) };
  } catch (error) {
    const replayed = isStale(error) ? await findReplayed() : null;
    if (replayed) return { replayed };
    throw error;
  }
}
