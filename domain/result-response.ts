// The result body of the API's answers (as the original API page gives it), shared by the HTTP answers
// and the worker's job return value.
import type { FollowUpState } from './follow-ups';
import type { ContactType, ResultSource, ResultStatus } from './statuses';

/** The follow-up activity a result's `future_scheduled_at` asked for: its activity once CREATED. */
export interface FollowUpBody {
  readonly scheduledAt: string;
  readonly state: Exclude<FollowUpState, 'SUPERSEDED'>;
  readonly activityId: string | null;
}

export interface ResultBody {
  readonly id: string;
  readonly activityId: string | null;
  readonly source: ResultSource;
  readonly resultStatus: ResultStatus;
  readonly externalStatus: string | null;
  readonly occurredAt: string;
  readonly taskDetails: {
    readonly result: string;
    readonly comment: string | null;
    readonly contactType: ContactType | null;
    readonly operatorExternalId: string | null;
    readonly futureScheduledAt: string | null;
    readonly payload: Record<string, unknown> | null;
  };
  readonly followUp: FollowUpBody | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** The stored columns a result body is made from (an ActivityResult row has them all). */
export interface ResultRecord {
  id: string;
  activityId: string | null;
  source: ResultSource;
  resultStatus: ResultStatus;
  externalStatus: string | null;
  occurredAt: Date;
  taskResult: string;
  taskComment: string | null;
  contactType: ContactType | null;
  operatorExternalId: string | null;
  futureScheduledAt: Date | null;
  taskPayload: Record<string, unknown> | null;
  createdAt: Date;
  updatedAt: Date;
  /** The result's current follow-up, when the query joined it (see models/result-follow-up.ts). */
  followUpScheduledAt?: Date | null;
  followUpState?: FollowUpBody['state'] | null;
  followUpActivityId?: string | null;
}

/** The follow-up a row read with its current follow-up carries; null when it has none. */
export function followUpOf(r: ResultRecord): FollowUpBody | null {
  if (!r.followUpState || !r.followUpScheduledAt) return null;
  return { scheduledAt: r.followUpScheduledAt.toISOString(), state: r.followUpState, activityId: r.followUpActivityId ?? null };
}

/** `followUp`: what the caller knows of it already (the worker that has just written it), else the row's. */
export function toResultBody(r: ResultRecord, followUp: FollowUpBody | null = followUpOf(r)): ResultBody {
  return {
    id: r.id,
    activityId: r.activityId,
    source: r.source,
    resultStatus: r.resultStatus,
    externalStatus: r.externalStatus,
    occurredAt: r.occurredAt.toISOString(),
    taskDetails: {
      result: r.taskResult,
      comment: r.taskComment,
      contactType: r.contactType,
      operatorExternalId: r.operatorExternalId,
      futureScheduledAt: r.futureScheduledAt?.toISOString() ?? null,
      payload: r.taskPayload,
    },
    followUp,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

/** A body a job returned: one returned by a worker older than `followUp` gets it as null. */
export function withFollowUp(body: ResultBody): ResultBody {
  return body.followUp === undefined ? { ...body, followUp: null } : body;
}
