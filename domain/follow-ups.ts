// When an applied event leaves a result with a `future_scheduled_at`, a follow-up activity is due at that
// time. Each result has at most one SCHEDULED follow-up; a newer event that changes or drops the time, or
// cancels the activity, supersedes it. These are the rules as values in, decision out.
import { ACTIVITY_STATUS_FOR_RESULT, type ActivityStatus, type ResultStatus } from './statuses';

export const FOLLOW_UP_STATES = ['SCHEDULED', 'CREATED', 'SUPERSEDED'] as const;
export type FollowUpState = (typeof FOLLOW_UP_STATES)[number];

/** The result's follow-up that still counts: the SCHEDULED one, else the latest CREATED one. */
export interface CurrentFollowUp {
  readonly state: Exclude<FollowUpState, 'SUPERSEDED'>;
  readonly scheduledAt: Date;
}

export interface FollowUpPlan {
  /** Mark the current SCHEDULED follow-up SUPERSEDED and remove its timer. */
  readonly supersede: boolean;
  /** Schedule a new follow-up at this time, or none. */
  readonly schedule: Date | null;
}

export function planFollowUp(input: {
  current: CurrentFollowUp | null;
  /** As the applied event leaves it on the result. */
  futureScheduledAt: Date | null;
  /** The activity's status after the event; null for a standalone result. */
  activityStatus: ActivityStatus | null;
  resultStatus: ResultStatus;
}): FollowUpPlan {
  const { current } = input;
  // A standalone result has no activity to cancel; its CANCELED status means the same.
  const status = input.activityStatus ?? ACTIVITY_STATUS_FOR_RESULT[input.resultStatus];
  const wanted = status === 'CANCELED' ? null : input.futureScheduledAt;
  // The same time again (a resent or merely newer event) keeps the follow-up we have, even one already
  // created: one follow-up per suggested time.
  if (current && wanted && current.scheduledAt.getTime() === wanted.getTime()) return { supersede: false, schedule: null };
  // A CREATED follow-up is an activity by now: it stays, and a new time adds another.
  return { supersede: current?.state === 'SCHEDULED', schedule: wanted };
}

/** How long the timer waits; a time already past fires at once. The clock is the caller's. */
export function followUpDelayMs(scheduledAt: Date, now: Date): number {
  return Math.max(0, scheduledAt.getTime() - now.getTime());
}
