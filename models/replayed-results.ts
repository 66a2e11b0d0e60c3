// The results that already-applied events produced, for a batch's exact replays: every fingerprint in
// one statement, where the single route looks one up (findReplayedResult in result-target.ts).
import { FOLLOW_UP_COLUMNS, followUpJoin } from './result-follow-up';
import { RESULT_COLUMNS, type ResultRow } from './result-target';
import type { Sql } from './sql';

const REPLAYED_RESULTS = {
  name: 'replayed-results',
  text: `SELECT e.fingerprint, ${RESULT_COLUMNS}, ${FOLLOW_UP_COLUMNS}
         FROM activity_result_events e JOIN activity_results r ON r.id = e.result_id
         ${followUpJoin('r.tenant_id', 'r.id')}
         WHERE e.tenant_id = $1 AND e.fingerprint = ANY($2)`,
};

/** By fingerprint: the result each applied event (of those given) belongs to. */
export async function findReplayedResults(sql: Sql, tenantId: string, fingerprints: readonly string[]): Promise<Map<string, ResultRow>> {
  const found = new Map<string, ResultRow>();
  if (fingerprints.length === 0) return found;
  const rows = await sql.query<ResultRow & { fingerprint: string }>(REPLAYED_RESULTS, [tenantId, [...new Set(fingerprints)]]);
  for (const { fingerprint, ...row } of rows) found.set(fingerprint.trim(), row);
  return found;
}
