// Reading activities for the API: one activity or a page of them, each with its commerce and its result id.
import type { ActivityRecord } from '../domain/activity-body';
import type { PageCursor } from '../domain/page-cursor';
import type { ActivityStatus } from '../domain/statuses';
import { keysetPage, type Condition, type Page } from './keyset-page';
import type { Sql } from './sql';

export interface ActivityFilters {
  readonly status?: ActivityStatus;
  readonly commerce_external_id?: string;
  readonly provider_activity_id?: string;
  readonly parent_activity_id?: string;
  /** ISO 8601: scheduled at or after this instant. */
  readonly scheduled_from?: string;
  /** ISO 8601: scheduled before this instant. */
  readonly scheduled_to?: string;
}

const SELECT = `a.id, a.type, a.status, a.channel, a.commerce_id AS "commerceId", c.external_id AS "commerceExternalId",
  a.provider_activity_id AS "providerActivityId", a.scheduled_at AS "scheduledAt", a.parent_activity_id AS "parentActivityId",
  a.source_result_id AS "sourceResultId", res.id AS "resultId", a.created_at AS "createdAt", a.updated_at AS "updatedAt"`;

const FROM = `activities a
  JOIN commerces c ON c.id = a.commerce_id
  LEFT JOIN activity_results res ON res.tenant_id = a.tenant_id AND res.activity_id = a.id`;

const ONE_ACTIVITY = `SELECT ${SELECT} FROM ${FROM} WHERE a.tenant_id = $1 AND a.id = $2`;

export async function readActivity(sql: Sql, tenantId: string, id: string): Promise<ActivityRecord | null> {
  const [row = null] = await sql.query<ActivityRecord>(ONE_ACTIVITY, [tenantId, id]);
  return row;
}

function conditions(f: ActivityFilters): Condition[] {
  const all: Array<[unknown, (p: string) => string]> = [
    [f.status, (p) => `a.status = ${p}`],
    [f.commerce_external_id, (p) => `c.external_id = ${p}`],
    [f.provider_activity_id, (p) => `a.provider_activity_id = ${p}`],
    [f.parent_activity_id, (p) => `a.parent_activity_id = ${p}::uuid`],
    [f.scheduled_from, (p) => `a.scheduled_at >= ${p}::timestamptz`],
    [f.scheduled_to, (p) => `a.scheduled_at < ${p}::timestamptz`],
  ];
  return all.filter(([value]) => value !== undefined).map(([value, sql]) => ({ value, sql }));
}

export function listActivities(
  sql: Sql,
  tenantId: string,
  filters: ActivityFilters,
  limit: number,
  after: PageCursor | null,
): Promise<Page<ActivityRecord>> {
  return keysetPage<ActivityRecord>(sql, {
    select: SELECT,
    from: FROM,
    alias: 'a',
    tenantId,
    conditions: conditions(filters),
    limit,
    after,
  });
}
