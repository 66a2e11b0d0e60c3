// The activity as the API answers it: POST and GET /api/activities, and each item of the list.
import type { ActivityStatus } from './statuses';

export interface ActivityRecord {
  id: string;
  type: string;
  status: ActivityStatus;
  channel: string | null;
  commerceId: string;
  commerceExternalId: string;
  providerActivityId: string | null;
  scheduledAt: Date | null;
  parentActivityId: string | null;
  sourceResultId: string | null;
  /** The activity's result, once one was reported. */
  resultId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

// Optional columns a freshly created model leaves undefined are answered as null, never left out.
export function toActivityBody(a: ActivityRecord) {
  return {
    id: a.id,
    type: a.type,
    status: a.status,
    channel: a.channel ?? null,
    commerceId: a.commerceId,
    commerceExternalId: a.commerceExternalId,
    providerActivityId: a.providerActivityId ?? null,
    scheduledAt: a.scheduledAt?.toISOString() ?? null,
    parentActivityId: a.parentActivityId ?? null,
    sourceResultId: a.sourceResultId ?? null,
    resultId: a.resultId ?? null,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}

export type ActivityBody = ReturnType<typeof toActivityBody>;
