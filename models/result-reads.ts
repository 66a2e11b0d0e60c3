// Reading results for the API: one result, a page of them, a result's history. Each answer is one
// statement; the result's current follow-up comes joined (result-follow-up.ts).
import type { PageCursor } from '../domain/page-cursor';
import type { ResultSource, ResultStatus } from '../domain/statuses';
import { keysetPage, type Condition, type Page } from './keyset-page';
import { FOLLOW_UP_COLUMNS, followUpJoin } from './result-follow-up';
import { RESULT_COLUMNS, type ResultRow } from './result-row';
import type { Sql } from './sql';

export interface ResultFilters {
  readonly activity_id?: string;
  readonly provider_activity_id?: string;
  readonly commerce_external_id?: string;
  readonly status?: ResultStatus;
  readonly source?: ResultSource;
  /** ISO 8601: results updated at or after this instant. */
  readonly updated_since?: string;
}

const FROM = `activity_results r ${followUpJoin('r.tenant_id', 'r.id')}`;

const ONE_RESULT = `SELECT ${RESULT_COLUMNS}, ${FOLLOW_UP_COLUMNS} FROM ${FROM} WHERE r.tenant_id = $1 AND r.id = $2`;

export async function readResult(sql: Sql, tenantId: string, id: string): Promise<ResultRow | null> {
  const [row = null] = await sql.query<ResultRow>(ONE_RESULT, [tenantId, id]);
  return row;
}

function conditions(f: ResultFilters): Condition[] {
  const all: Array<[unknown, (p: string) => string]> = [
    [f.activity_id, (p) => `r.activity_id = ${p}::uuid`],
    [f.provider_activity_id, (p) => `r.provider_activity_id = ${p}`],
    [f.commerce_external_id, (p) => `r.commerce_id = (SELECT id FROM commerces WHERE tenant_id = $1 AND external_id = ${p})`],
    [f.status, (p) => `r.result_status = ${p}`],
    [f.source, (p) => `r.source = ${p}`],
    [f.updated_since, (p) => `r.updated_at >= ${p}::timestamptz`],
  ];
  return all.filter(([value]) => value !== undefined).map(([value, sql]) => ({ value, sql }));
}

export function listResults(
  sql: Sql,
  tenantId: string,
  filters: ResultFilters,
  limit: number,
  after: PageCursor | null,
): Promise<Page<ResultRow>> {
  return keysetPage<ResultRow>(sql, {
    select: `${RESULT_COLUMNS}, ${FOLLOW_UP_COLUMNS}`,
    from: FROM,
    alias: 'r',
    tenantId,
    conditions: conditions(filters),
    limit,
    after,
  });
}

// The history with each body as PostgreSQL's JSON text: numbers come out digit for digit, as stored.
const HISTORY = `SELECT e.occurred_at AS "occurredAt", e.status, e.received_at AS "receivedAt", e.job_id AS "jobId", e.body::text AS body
           FROM activity_results r
           LEFT JOIN activity_result_events e ON e.tenant_id = r.tenant_id AND e.result_id = r.id
          WHERE r.tenant_id = $1 AND r.id = $2
          ORDER BY e.occurred_at, e.id`;

export interface HistoryRow {
  readonly occurredAt: Date;
  readonly status: ResultStatus;
  readonly receivedAt: Date;
  readonly jobId: string | null;
  /** JSON text. */
  readonly body: string;
}

/** The applied events of a result in event-time order; null when the tenant has no such result. */
export async function resultHistory(sql: Sql, tenantId: string, id: string): Promise<HistoryRow[] | null> {
  const rows = await sql.query<HistoryRow>(HISTORY, [tenantId, id]);
  if (rows.length === 0) return null;
  return rows.filter((row) => row.body !== null);
}
