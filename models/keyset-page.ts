// One page of a tenant's rows in (updated_at, id) order, from a cursor on: a range scan of the
// (tenant_id, updated_at, id) index (migration 004). Each filter adds its condition only when given, so
// the statement has only the conditions it needs.
import type { PageCursor } from '../domain/page-cursor';
import type { Sql } from './sql';

/** A filter's SQL, given the placeholder of its value. */
export interface Condition {
  readonly sql: (param: string) => string;
  readonly value: unknown;
}

export interface PageQuery {
  /** The select list; the cursor column is added to it. */
  readonly select: string;
  /** FROM and joins; the paged table goes by `alias`. */
  readonly from: string;
  readonly alias: string;
  readonly tenantId: string;
  readonly conditions: readonly Condition[];
  readonly limit: number;
  readonly after: PageCursor | null;
}

export interface Page<R> {
  readonly rows: R[];
  /** Where the next page starts; null on the last page. */
  readonly next: PageCursor | null;
}

type Keyed = { cursorUpdatedAt: string; id: string };

export async function keysetPage<R extends object>(sql: Sql, q: PageQuery): Promise<Page<R>> {
  const values: unknown[] = [q.tenantId];
  const param = (value: unknown) => `$${values.push(value)}`;
  const where = [`${q.alias}.tenant_id = $1`, ...q.conditions.map((c) => c.sql(param(c.value)))];
  if (q.after)
    where.push(`(${q.alias}.updated_at, ${q.alias}.id) > (${param(q.after.updatedAt)}::timestamptz, ${param(q.after.id)}::uuid)`);
  const text = `SELECT ${q.select},
      to_char(${q.alias}.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "cursorUpdatedAt"
    FROM ${q.from}
    WHERE ${where.join(' AND ')}
    ORDER BY ${q.alias}.updated_at, ${q.alias}.id
    LIMIT ${param(q.limit + 1)}`;
  const rows = await sql.query<R & Keyed>(text, values);
  if (rows.length <= q.limit) return { rows, next: null };
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return { rows: page, next: { updatedAt: last.cursorUpdatedAt, id: last.id } };
}
