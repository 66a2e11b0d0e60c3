// The worker's write for one applied event, on the rows its transaction has locked (result-target.ts):
// the result row, its history row and the activity's new status, in one statement and one round trip.
import type { ActivityStatus, ResultSource } from '../domain/statuses';
import type { TaskResultEvent } from '../domain/task-result-event';
import { FOLLOW_UP_COLUMNS, followUpJoin } from './result-follow-up';
import { RESULT_COLUMNS, type ResultRow } from './result-target';
import { PgDatabaseError, type Sql } from './sql';

/** Where a new result belongs. */
export interface ResultOwner {
  readonly tenantId: string;
  readonly activityId: string | null;
  readonly providerActivityId: string | null;
  readonly commerceId: string;
  readonly source: ResultSource;
}

export interface ResultWrite {
  readonly event: TaskResultEvent;
  /** The request body as received (JSON text), for the history and the free-form columns. */
  readonly bodyText: string;
  readonly fingerprint: string;
  readonly jobId: string | null;
  readonly receivedAt: string;
  /** The activity's new status, when the event changes it. */
  readonly activityStatus: ActivityStatus | null;
}

// $1..$9: the result's fields set from the event's values (what the event leaves out is cleared).
const EVENT_COLUMNS = [
  'result_status', 'external_status', 'occurred_at', 'hard_override', 'task_result', 'task_comment', 'contact_type',
  'operator_external_id', 'future_scheduled_at',
];
const param = (i: number) => `$${i + 1}`;

// $10: the request's JSON text. The free-form objects are taken from it by PostgreSQL, so numbers past
// what a JavaScript number holds are stored as sent (see docs/guarantees.md).
const INPUT = `input AS (SELECT $10::jsonb AS body)`;
const FREE_FORM_COLUMNS = ['raw_payload', 'task_payload'];
const FREE_FORM_VALUES = [`NULLIF(input.body -> 'raw_payload', 'null')`, `NULLIF(input.body #> '{task_result,payload}', 'null')`];

// $11..$14: the history row and the activity's new status; the rest is the insert's or the update's own.
const HISTORY_AND_ACTIVITY = `
  appended AS (
    INSERT INTO activity_result_events (tenant_id, result_id, occurred_at, status, body, fingerprint, job_id, received_at)
    SELECT "tenantId", id, "occurredAt", "resultStatus", input.body, $11, $12, $13 FROM result, input
  ),
  activity AS (
    UPDATE activities SET status = $14, updated_at = now()
    FROM result WHERE activities.id = result."activityId" AND $14::text IS NOT NULL
  )`;

// An updated result may have a follow-up from an earlier event; a new one has none yet.
const UPDATED_WITH_FOLLOW_UP = `SELECT result.*, ${FOLLOW_UP_COLUMNS} FROM result ${followUpJoin('result."tenantId"', 'result.id')}`;

const SET_EVENT_COLUMNS = [
  ...EVENT_COLUMNS.map((column, i) => `${column} = ${param(i)}`),
  ...FREE_FORM_COLUMNS.map((column, i) => `${column} = ${FREE_FORM_VALUES[i]}`),
].join(', ');

const UPDATE_RESULT = {
  name: 'update-result',
  text: `WITH ${INPUT},
  result AS (
    UPDATE activity_results r SET ${SET_EVENT_COLUMNS}, updated_at = now()
    FROM input WHERE r.id = $15
    RETURNING ${RESULT_COLUMNS}
  ),${HISTORY_AND_ACTIVITY}
  ${UPDATED_WITH_FOLLOW_UP}`,
};

const INSERT_RESULT = {
  name: 'insert-result',
  text: `WITH ${INPUT},
  result AS (
    INSERT INTO activity_results AS r (${[...EVENT_COLUMNS, ...FREE_FORM_COLUMNS].join(', ')}, id, tenant_id, activity_id, provider_activity_id, commerce_id, source)
    SELECT ${EVENT_COLUMNS.map((_, i) => param(i)).join(', ')}, ${FREE_FORM_VALUES.join(', ')}, gen_random_uuid(), $15, $16, $17, $18, $19
    FROM input
    ON CONFLICT DO NOTHING
    RETURNING ${RESULT_COLUMNS}
  ),${HISTORY_AND_ACTIVITY}
  SELECT * FROM result`,
};

function sharedValues(write: ResultWrite): unknown[] {
  const { event } = write;
  const task = event.task_result;
  return [
    event.status,
    event.external_status ?? null,
    event.occurred_at,
    event.hard_override,
    task.result,
    task.comment ?? null,
    task.contact_type ?? null,
    task.operator_external_id ?? null,
    task.future_scheduled_at ?? null,
    write.bodyText,
    write.fingerprint,
    write.jobId,
    write.receivedAt,
    write.activityStatus,
  ];
}

export async function updateResult(sql: Sql, resultId: string, write: ResultWrite): Promise<ResultRow> {
  const [row] = await sql.query<ResultRow>(UPDATE_RESULT, [...sharedValues(write), resultId]);
  return row;
}

/**
 * The new result, or null when a concurrent transaction has just made the same one: the first two events
 * of a standalone key find no row to lock, and the unique index lets only one of them insert.
 */
export async function insertResult(sql: Sql, owner: ResultOwner, write: ResultWrite): Promise<ResultRow | null> {
  const { tenantId, activityId, providerActivityId, commerceId, source } = owner;
  const [row = null] = await sql.query<ResultRow>(INSERT_RESULT, [...sharedValues(write), tenantId, activityId, providerActivityId, commerceId, source]);
  return row;
}

/** The history holds this event already (its fingerprint is unique per tenant): nothing was written. */
export function isAlreadyInHistory(error: unknown): boolean {
  return error instanceof PgDatabaseError && error.code === '23505' && error.table === 'activity_result_events';
}
