// The domain rules (docs/api.md), as pure functions over values. The HTTP fast checks run them without
// locks to answer early; the worker runs them again under row locks and its answer is the one that counts.
import { invalidTransition, staleEvent } from './errors';
import {
  ACTIVITY_STATUS_FOR_RESULT,
  CLOSED_ACTIVITY_STATUSES,
  TERMINAL_RESULT_STATUSES,
  type ActivityStatus,
  type ResultStatus,
} from './statuses';
import type { TaskResultEvent } from './task-result-event';

export interface StoredResult {
  readonly status: ResultStatus;
  /** occurred_at of the last applied event */
  readonly occurredAt: Date;
}

export interface IncomingEvent {
  readonly status: ResultStatus;
  readonly occurredAt: Date;
  readonly hardOverride: boolean;
}

export function incomingEvent(event: TaskResultEvent): IncomingEvent {
  return { status: event.status, occurredAt: new Date(event.occurred_at), hardOverride: event.hard_override };
}

export interface Decision {
  /** The activity's new status, or null when it stays as it is (or there is no activity). */
  readonly activityStatus: ActivityStatus | null;
}

/**
 * Event time against event time: the stored result's occurred_at is the time of the last applied event.
 * Equal counts as stale. `hard_override` does not skip this guard.
 */
export function assertNewer(stored: StoredResult, event: IncomingEvent): void {
  if (event.occurredAt.getTime() <= stored.occurredAt.getTime()) throw staleEvent(event.occurredAt, stored.occurredAt);
}

/** A terminal result keeps its status unless the event says hard_override. */
export function assertResultTransition(stored: StoredResult, event: IncomingEvent): void {
  if (event.hardOverride || stored.status === event.status) return;
  if (TERMINAL_RESULT_STATUSES.has(stored.status)) throw invalidTransition('result', stored.status, event.status);
}

/** The activity status after the event; a closed activity is only moved elsewhere with hard_override. */
export function nextActivityStatus(current: ActivityStatus, event: IncomingEvent): ActivityStatus | null {
  const target = ACTIVITY_STATUS_FOR_RESULT[event.status];
  if (target === null || target === current) return null;
  if (CLOSED_ACTIVITY_STATUSES.has(current) && !event.hardOverride) throw invalidTransition('activity', current, target);
  return target;
}

/** Every rule an event must pass before it is applied; throws the first DomainError it meets. */
export function decide(input: { stored: StoredResult | null; activityStatus: ActivityStatus | null; event: IncomingEvent }): Decision {
  const { stored, activityStatus, event } = input;
  if (stored) {
    assertNewer(stored, event);
    assertResultTransition(stored, event);
  }
  return { activityStatus: activityStatus === null ? null : nextActivityStatus(activityStatus, event) };
}

/** occurred_at may run ahead of our clock by the allowed skew, no more: a future event would make every
 * real later event look stale. The clock is the caller's. */
export function isTooFarInFuture(occurredAt: Date, now: Date, maxSkewMs: number): boolean {
  return occurredAt.getTime() - now.getTime() > maxSkewMs;
}
