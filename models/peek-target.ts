// The HTTP fast checks' view of an event's target: one read-only statement, no model instances.
// The worker reads the same rows under locks (result-target.ts); this is only the early answer.
import type { TaskResultEvent } from '../domain/task-result-event';
import type { ActivityStatus, ResultStatus } from '../domain/statuses';
import type { Sql } from './sql';

export interface PeekedTarget {
  readonly activity: { readonly id: string; readonly status: ActivityStatus; readonly commerceExternalId: string } | null;
  readonly result: { readonly resultStatus: ResultStatus; readonly occurredAt: Date } | null;
}

// The linked rows first: an activity with the event's id wins over a standalone result with that key.
const PEEK = {
  name: 'peek-result-target',
  text: `
  SELECT 1 AS rank, a.id AS activity_id, a.status AS activity_status, c.external_id AS commerce_external_id,
         r.result_status, r.occurred_at
  FROM activities a
  JOIN commerces c ON c.id = a.commerce_id
  LEFT JOIN activity_results r ON r.activity_id = a.id
  WHERE a.tenant_id = $1 AND (a.id = $2::uuid OR ($2::uuid IS NULL AND a.provider_activity_id = $3))
  UNION ALL
  SELECT 2, NULL, NULL, NULL, r.result_status, r.occurred_at
  FROM activity_results r
  WHERE $2::uuid IS NULL AND r.tenant_id = $1 AND r.provider_activity_id = $3 AND r.activity_id IS NULL
  ORDER BY rank
  LIMIT 1`,
};

interface Row extends Record<string, unknown> {
  activity_id: string | null;
  activity_status: ActivityStatus | null;
  commerce_external_id: string | null;
  result_status: ResultStatus | null;
  occurred_at: Date | null;
}

export async function peekResultTarget(sql: Sql, tenantId: string, event: TaskResultEvent): Promise<PeekedTarget> {
  const [row] = await sql.query<Row>(PEEK, [tenantId, event.activity_id ?? null, event.provider_activity_id ?? null]);
  return {
    activity: row?.activity_id ? { id: row.activity_id, status: row.activity_status!, commerceExternalId: row.commerce_external_id! } : null,
    result: row?.result_status ? { resultStatus: row.result_status, occurredAt: row.occurred_at! } : null,
  };
}
