// The worker's writes for a batch of applied events, on the rows its transaction has locked
// (target-locks.ts): the results, their history rows and the activities' new statuses, one statement
// for the whole batch. Each event of a batch has a target of its own (workers/apply-task-results.ts).
import type { ActivityStatus, ResultSource } from '../domain/statuses';
import type { TaskResultEvent } from '../domain/task-result-event';
import { FOLLOW_UP_COLUMNS, followUpJoin } from './result-follow-up';
import { RESULT_COLUMNS, type ResultRow } from './result-row';
import type { Sql } from './sql';
import { sqlStateOf } from './database-errors';

/** Where a new result belongs. */
export interface ResultOwner {
  readonly activityId: string | null;
  readonly providerActivityId: string | null;
  readonly commerceId: string;
  readonly source: ResultSource;
}

export interface ResultWrite {
  readonly tenantId: string;
  readonly event: TaskResultEvent;
  /** The request body as received (JSON text), for the history and the free-form columns. */
  readonly bodyText: string;
  readonly fingerprint: string;
  readonly jobId: string | null;
  readonly receivedAt: string;
  /** The activity's new status, when the event changes it. */
  readonly activityStatus: ActivityStatus | null;
  /** The stored result's id, or the new result's owner (its id is chosen here, so the rows can be told apart). */
  readonly target: { readonly resultId: string } | { readonly newResultId: string; readonly owner: ResultOwner };
}

// One input row per event. The free-form objects are taken from the request's JSON text by PostgreSQL,
// so numbers past what a JavaScript number holds are stored as sent (docs/guarantees.md).
const INPUT_COLUMNS: ReadonlyArray<readonly [name: string, type: string, value: (w: ResultWrite) => unknown]> = [
  ['id', 'uuid', (w) => ('resultId' in w.target ? w.target.resultId : w.target.newResultId)],
  ['is_new', 'boolean', (w) => 'newResultId' in w.target],
  ['tenant_id', 'uuid', (w) => w.tenantId],
  ['activity_id', 'uuid', (w) => ('owner' in w.target ? w.target.owner.activityId : null)],
  ['provider_activity_id', 'text', (w) => ('owner' in w.target ? w.target.owner.providerActivityId : null)],
  ['commerce_id', 'uuid', (w) => ('owner' in w.target ? w.target.owner.commerceId : null)],
  ['source', 'text', (w) => ('owner' in w.target ? w.target.owner.source : null)],
  ['result_status', 'text', (w) => w.event.status],
  ['external_status', 'text', (w) => w.event.external_status ?? null],
  ['occurred_at', 'timestamptz', (w) => w.event.occurred_at],
  ['hard_override', 'boolean', (w) => w.event.hard_override],
  ['task_result', 'text', (w) => w.event.task_result.result],
  ['task_comment', 'text', (w) => w.event.task_result.comment ?? null],
  ['contact_type', 'text', (w) => w.event.task_result.contact_type ?? null],
  ['operator_external_id', 'text', (w) => w.event.task_result.operator_external_id ?? null],
  ['future_scheduled_at', 'timestamptz', (w) => w.event.task_result.future_scheduled_at ?? null],
  ['body_text', 'text', (w) => w.bodyText],
  ['fingerprint', 'text', (w) => w.fingerprint],
  ['job_id', 'text', (w) => w.jobId],
  ['received_at', 'timestamptz', (w) => w.receivedAt],
  ['activity_status', 'text', (w) => w.activityStatus],
];

// The result's fields set from the event's values (what the event leaves out is cleared).
const EVENT_COLUMNS = [
  'result_status',
  'external_status',
  'occurred_at',
  'hard_override',
  'task_result',
  'task_comment',
  'contact_type',
  'operator_external_id',
  'future_scheduled_at',
];
const FREE_FORM = {
  raw_payload: `NULLIF(i.body -> 'raw_payload', 'null')`,
  task_payload: `NULLIF(i.body #> '{task_result,payload}', 'null')`,
};

const WRITE_RESULTS = `
  WITH i AS (
    SELECT *, body_text::jsonb AS body
    FROM unnest(${INPUT_COLUMNS.map(([, type], n) => `$${n + 1}::${type}[]`).join(', ')}) WITH ORDINALITY
      AS i (${INPUT_COLUMNS.map(([name]) => name).join(', ')}, n)
  ),
  updated AS (
    UPDATE activity_results r
    SET ${EVENT_COLUMNS.map((c) => `${c} = i.${c}`).join(', ')},
        ${Object.entries(FREE_FORM)
          .map(([c, value]) => `${c} = ${value}`)
          .join(', ')}, updated_at = now()
    FROM i WHERE NOT i.is_new AND r.id = i.id
    RETURNING ${RESULT_COLUMNS}
  ),
  inserted AS (
    INSERT INTO activity_results AS r (id, tenant_id, activity_id, provider_activity_id, commerce_id, source,
      ${EVENT_COLUMNS.join(', ')}, ${Object.keys(FREE_FORM).join(', ')})
    SELECT i.id, i.tenant_id, i.activity_id, i.provider_activity_id, i.commerce_id, i.source,
      ${EVENT_COLUMNS.map((c) => `i.${c}`).join(', ')}, ${Object.values(FREE_FORM).join(', ')}
    FROM i WHERE i.is_new
    ORDER BY i.n
    ON CONFLICT DO NOTHING
    RETURNING ${RESULT_COLUMNS}
  ),
  result AS (SELECT * FROM updated UNION ALL SELECT * FROM inserted),
  appended AS (
    INSERT INTO activity_result_events (tenant_id, result_id, occurred_at, status, body, fingerprint, job_id, received_at)
    SELECT i.tenant_id, i.id, i.occurred_at, i.result_status, i.body, i.fingerprint, i.job_id, i.received_at
    FROM i JOIN result ON result.id = i.id
  ),
  activity AS (
    UPDATE activities SET status = i.activity_status, updated_at = now()
    FROM i JOIN result ON result.id = i.id
    WHERE activities.id = result."activityId" AND i.activity_status IS NOT NULL
  )
  SELECT result.*, ${FOLLOW_UP_COLUMNS} FROM result ${followUpJoin('result."tenantId"', 'result.id')}`;

/**
 * The results as the events left them, by id. A new result is missing when a concurrent transaction has
 * just made the same one: a standalone key's first events find no row to lock, and the unique index
 * lets only one of them insert. New results are inserted in key order, so two batches never wait on
 * each other's inserts in a cycle.
 */
export async function writeResults(tx: Sql, writes: readonly ResultWrite[]): Promise<Map<string, ResultRow>> {
  if (writes.length === 0) return new Map();
  const ordered = [...writes].sort(byNewResultKey);
  const rows = await tx.query<ResultRow>(
    WRITE_RESULTS,
    INPUT_COLUMNS.map(([, , value]) => ordered.map(value)),
  );
  return new Map(rows.map((row) => [row.id, row]));
}

function byNewResultKey(a: ResultWrite, b: ResultWrite): number {
  const key = (w: ResultWrite) =>
    'owner' in w.target ? `${w.tenantId}\n${w.target.owner.activityId ?? ''}\n${w.target.owner.providerActivityId ?? ''}` : '';
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}

/** The history holds this event already (its fingerprint is unique per tenant): nothing was written. */
export function isAlreadyInHistory(error: unknown): boolean {
  const parent = (error as { parent?: { table?: unknown } } | null)?.parent;
  return sqlStateOf(error) === '23505' && parent?.table === 'activity_result_events';
}
