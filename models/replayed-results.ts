// Exact replays: an event applied before (same tenant and fingerprint) is answered with the result it
// produced rather than refused as stale (docs/guarantees.md).
import { FOLLOW_UP_COLUMNS, followUpJoin } from './result-follow-up';
import { RESULT_COLUMNS, type ResultRow } from './result-row';
import type { Sql } from './sql';

const REPLAYED_RESULTS = `
  SELECT e.fingerprint, ${RESULT_COLUMNS}, ${FOLLOW_UP_COLUMNS}
  FROM unnest($1::uuid[], $2::text[]) AS k (tenant_id, fingerprint)
  JOIN activity_result_events e ON e.tenant_id = k.tenant_id AND e.fingerprint = k.fingerprint
  JOIN activity_results r ON r.id = e.result_id
  ${followUpJoin('r.tenant_id', 'r.id')}`;

/** The key of findReplayedResults' answers. */
export const replayKey = (tenantId: string, fingerprint: string) => `${tenantId}\n${fingerprint}`;

/** The results already-applied events (same tenant and fingerprint) produced, by replayKey, for exact replays. */
export async function findReplayedResults(
  sql: Sql,
  events: readonly { readonly tenantId: string; readonly fingerprint: string }[],
): Promise<Map<string, ResultRow>> {
  if (events.length === 0) return new Map();
  const rows = await sql.query<ResultRow & { fingerprint: string }>(REPLAYED_RESULTS, [
    events.map((e) => e.tenantId),
    events.map((e) => e.fingerprint),
  ]);
  return new Map(rows.map(({ fingerprint, ...row }) => [replayKey(row.tenantId, fingerprint), row]));
}

export async function findReplayedResult(sql: Sql, tenantId: string, fingerprint: string): Promise<ResultRow | null> {
  return (await findReplayedResults(sql, [{ tenantId, fingerprint }])).get(replayKey(tenantId, fingerprint)) ?? null;
}
