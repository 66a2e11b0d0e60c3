// The result body of the API's answers (as the original API page gives it), shared by the HTTP answers
// and the worker's job return value.
import type { ContactType, ResultSource, ResultStatus } from './statuses';

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
}

export function toResultBody(r: ResultRecord): ResultBody {
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
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}
