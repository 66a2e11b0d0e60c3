// The HTTP fast checks' view of an event's target: read-only, no locks, no model instances. Requests that
// arrive together, or while every lookup slot is busy, are answered together by one statement.
// The worker reads the same rows under locks (target-locks.ts); this is only the early answer.
import type { Sequelize } from 'sequelize';
import type { ActivityStatus, ResultStatus } from '../domain/statuses';
import type { TaskResultEvent } from '../domain/task-result-event';
import { BatchLoader } from '../lib/batch-loader';
import { sqlOf, type Sql } from './sql';

export interface LookedUpTarget {
  readonly activity: { readonly id: string; readonly status: ActivityStatus; readonly commerceExternalId: string } | null;
  readonly result: { readonly resultStatus: ResultStatus; readonly occurredAt: Date } | null;
}

interface Key {
  readonly tenantId: string;
  readonly activityId: string | null;
  readonly providerActivityId: string | null;
}

// One row per key found, numbered as the keys were given. The linked rows rank first: an activity with
// the event's id wins over a standalone result with that key. Each branch is a lookup on one index.
const ACTIVITY_TARGET = `a.id AS activity_id, a.status AS activity_status, c.external_id AS commerce_external_id,
      r.result_status, r.occurred_at
    FROM activities a
    JOIN commerces c ON c.id = a.commerce_id
    LEFT JOIN LATERAL (
      SELECT r.result_status, r.occurred_at FROM activity_results r WHERE r.tenant_id = a.tenant_id AND r.activity_id = a.id
    ) r ON true`;

const PEEK = `
  SELECT k.n, t.activity_id, t.activity_status, t.commerce_external_id, t.result_status, t.occurred_at
  FROM unnest($1::uuid[], $2::uuid[], $3::text[]) WITH ORDINALITY AS k (tenant_id, activity_id, provider_activity_id, n)
  CROSS JOIN LATERAL (
    SELECT 1 AS rank, ${ACTIVITY_TARGET}
    WHERE a.tenant_id = k.tenant_id AND a.id = k.activity_id
    UNION ALL
    SELECT 1, ${ACTIVITY_TARGET}
    WHERE k.activity_id IS NULL AND a.tenant_id = k.tenant_id AND a.provider_activity_id = k.provider_activity_id
    UNION ALL
    SELECT 2, NULL, NULL, NULL, r.result_status, r.occurred_at
    FROM activity_results r
    WHERE k.activity_id IS NULL AND r.tenant_id = k.tenant_id
      AND r.provider_activity_id = k.provider_activity_id AND r.activity_id IS NULL
    ORDER BY rank
    LIMIT 1
  ) t`;

interface Row {
  n: string;
  activity_id: string | null;
  activity_status: ActivityStatus | null;
  commerce_external_id: string | null;
  result_status: ResultStatus | null;
  occurred_at: Date | null;
}

const NOTHING: LookedUpTarget = { activity: null, result: null };

function toTarget(row: Row): LookedUpTarget {
  return {
    activity: row.activity_id ? { id: row.activity_id, status: row.activity_status!, commerceExternalId: row.commerce_external_id! } : null,
    result: row.result_status ? { resultStatus: row.result_status, occurredAt: row.occurred_at! } : null,
  };
}

export class TargetLookup {
  private readonly batcher: BatchLoader<Key, LookedUpTarget>;
  private readonly sql: Sql;

  constructor(sequelize: Sequelize) {
    const sql = (this.sql = sqlOf(sequelize));
    // A few lookups at once: with one, a request waits out the lookup ahead of it as well as its own
    // (sync POSTs at 4 connections: 25-40% more requests a second with 4 than with 1). A few of the
    // pool's connections, so the API's other queries still find one.
    this.batcher = new BatchLoader((keys) => peekAll(sql, keys), { maxInFlight: 4, maxBatch: 200 });
  }

  peek(tenantId: string, event: TaskResultEvent): Promise<LookedUpTarget> {
    return this.batcher.load(keyOf(tenantId, event));
  }

  /**
   * The targets of a batch's events, in one statement: past the batcher, whose batches are capped for
   * the single requests' sake (a thousand events would be five statements behind the others).
   */
  peekMany(tenantId: string, events: readonly TaskResultEvent[]): Promise<LookedUpTarget[]> {
    return events.length === 0
      ? Promise.resolve([])
      : peekAll(
          this.sql,
          events.map((event) => keyOf(tenantId, event)),
        );
  }
}

const keyOf = (tenantId: string, event: TaskResultEvent): Key => ({
  tenantId,
  activityId: event.activity_id ?? null,
  providerActivityId: event.provider_activity_id ?? null,
});

async function peekAll(sql: Sql, keys: readonly Key[]): Promise<LookedUpTarget[]> {
  const rows = await sql.query<Row>(PEEK, [
    keys.map((k) => k.tenantId),
    keys.map((k) => k.activityId),
    keys.map((k) => k.providerActivityId),
  ]);
  const targets = keys.map(() => NOTHING);
  for (const row of rows) targets[Number(row.n) - 1] = toTarget(row);
  return targets;
}
