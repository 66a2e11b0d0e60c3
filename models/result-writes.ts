// The worker's writes for one applied event, on rows its transaction has locked (result-target.ts).
import type { ActivityStatus, ResultSource, ResultStatus } from '../domain/statuses';
import type { TaskResultEvent } from '../domain/task-result-event';
import { RESULT_COLUMNS, type ResultRow } from './result-target';
import type { Sql } from './sql';

/** Where a new result belongs. */
export interface ResultOwner {
  readonly tenantId: string;
  readonly activityId: string | null;
  readonly providerActivityId: string | null;
  readonly commerceId: string;
  readonly source: ResultSource;
}

// The result reflects the last applied event: fields the event leaves out are cleared. $1 is the row
// (its id, or its owner's tenant for an insert); $2..$12 are the event's fields in this order.
const EVENT_COLUMN_NAMES = [
  'result_status', 'external_status', 'occurred_at', 'hard_override', 'raw_payload', 'task_result', 'task_comment',
  'contact_type', 'operator_external_id', 'future_scheduled_at', 'task_payload',
];
const EVENT_COLUMNS = EVENT_COLUMN_NAMES.join(', ');
const SET_EVENT_COLUMNS = EVENT_COLUMN_NAMES.map((column, i) => `${column} = $${i + 2}`).join(', ');

function eventFields(event: TaskResultEvent): unknown[] {
  const task = event.task_result;
  return [
    event.status satisfies ResultStatus,
    event.external_status ?? null,
    event.occurred_at,
    event.hard_override,
    jsonOrNull(event.raw_payload),
    task.result,
    task.comment ?? null,
    task.contact_type ?? null,
    task.operator_external_id ?? null,
    task.future_scheduled_at ?? null,
    jsonOrNull(task.payload),
  ];
}

// pg would send a JavaScript array as a PostgreSQL array: JSON columns get their text.
const jsonOrNull = (value: object | undefined) => (value === undefined ? null : JSON.stringify(value));

const UPDATE_RESULT = {
  name: 'update-result',
  text: `UPDATE activity_results r
         SET ${SET_EVENT_COLUMNS}, updated_at = now()
         WHERE r.id = $1
         RETURNING ${RESULT_COLUMNS}`,
};

const INSERT_RESULT = {
  name: 'insert-result',
  text: `INSERT INTO activity_results AS r (tenant_id, ${EVENT_COLUMNS}, id, activity_id, provider_activity_id, commerce_id, source)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, gen_random_uuid(), $13, $14, $15, $16)
         RETURNING ${RESULT_COLUMNS}`,
};

const SET_ACTIVITY_STATUS = {
  name: 'set-activity-status',
  text: 'UPDATE activities SET status = $2, updated_at = now() WHERE id = $1',
};

export async function updateResult(tx: Sql, resultId: string, event: TaskResultEvent): Promise<ResultRow> {
  const [row] = await tx.query<ResultRow>(UPDATE_RESULT, [resultId, ...eventFields(event)]);
  return row;
}

export async function insertResult(tx: Sql, owner: ResultOwner, event: TaskResultEvent): Promise<ResultRow> {
  const { tenantId, activityId, providerActivityId, commerceId, source } = owner;
  const [row] = await tx.query<ResultRow>(INSERT_RESULT, [tenantId, ...eventFields(event), activityId, providerActivityId, commerceId, source]);
  return row;
}

export async function setActivityStatus(tx: Sql, activityId: string, status: ActivityStatus): Promise<void> {
  await tx.query(SET_ACTIVITY_STATUS, [activityId, status]);
}
