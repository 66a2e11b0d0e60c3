// A result row as the hot paths read and write it, with raw SQL (docs/decisions/007-group-commit.md).
import type { ResultRecord } from '../domain/result-response';

/** A result row as the hot paths read it: what a result body and the follow-up rules need. */
export interface ResultRow extends ResultRecord {
  readonly tenantId: string;
}

/** The columns of a ResultRow, for SELECT and RETURNING lists: the table goes by the alias `r`. */
export const RESULT_COLUMNS = `r.id, r.tenant_id AS "tenantId", r.activity_id AS "activityId", r.source,
  r.result_status AS "resultStatus", r.external_status AS "externalStatus", r.occurred_at AS "occurredAt",
  r.task_result AS "taskResult", r.task_comment AS "taskComment", r.contact_type AS "contactType",
  r.operator_external_id AS "operatorExternalId", r.future_scheduled_at AS "futureScheduledAt",
  r.task_payload AS "taskPayload", r.created_at AS "createdAt", r.updated_at AS "updatedAt"`;
