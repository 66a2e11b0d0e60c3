// Terminology
//   provider      an external system (call centre, field-sales app) that reports results over the API
//   commerce      a store; providers name it by `commerce_external_id`, unique per tenant
//   activity      a task for a commerce (a visit, a call) with a status of its own
//   result        the one outcome record of an activity, or of a standalone provider key when no activity
//                 is known; each applied event updates it
//   event         one POST of a result; it applies only when newer than the last applied event
//   fingerprint   SHA-256 of an event's canonical body: the same event sent twice has the same fingerprint
//   follow-up     an activity created later from `task_result.future_scheduled_at`; a `follow_ups` row
//                 tracks it (SCHEDULED, then CREATED or SUPERSEDED) and a delayed job is its timer

export const RESULT_STATUSES = ['PENDING', 'COMPLETED', 'NOT_EXECUTED', 'CANCELED', 'TRANSFERRED'] as const;
export type ResultStatus = (typeof RESULT_STATUSES)[number];

export const ACTIVITY_STATUSES = ['READY', 'DISPATCHED', 'UNRESOLVED', 'COMPLETED', 'CANCELED', 'FAILED'] as const;
export type ActivityStatus = (typeof ACTIVITY_STATUSES)[number];

export const RESULT_SOURCES = ['RETEN_ACTIVITY', 'STANDALONE'] as const;
export type ResultSource = (typeof RESULT_SOURCES)[number];

export const CONTACT_TYPES = ['INBOUND', 'OUTBOUND'] as const;
export type ContactType = (typeof CONTACT_TYPES)[number];

/** A result in one of these statuses only changes status with `hard_override`. */
export const TERMINAL_RESULT_STATUSES: ReadonlySet<ResultStatus> = new Set(['COMPLETED', 'NOT_EXECUTED', 'CANCELED', 'TRANSFERRED']);

/** An activity in one of these statuses is only moved elsewhere with `hard_override`. */
export const CLOSED_ACTIVITY_STATUSES: ReadonlySet<ActivityStatus> = new Set(['COMPLETED', 'CANCELED', 'FAILED']);

/** The activity status a result status implies; null leaves the activity as it is. */
export const ACTIVITY_STATUS_FOR_RESULT: Readonly<Record<ResultStatus, ActivityStatus | null>> = {
  PENDING: null,
  COMPLETED: 'COMPLETED',
  NOT_EXECUTED: 'FAILED',
  CANCELED: 'CANCELED',
  TRANSFERRED: 'COMPLETED',
};
