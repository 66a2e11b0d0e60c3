import type { Sql } from './sql';

const FIND_OR_CREATE = `
  WITH k AS (SELECT DISTINCT * FROM unnest($1::uuid[], $2::text[]) AS k (tenant_id, external_id) ORDER BY tenant_id, external_id),
  created AS (
    INSERT INTO commerces (id, tenant_id, external_id, is_placeholder)
    SELECT gen_random_uuid(), tenant_id, external_id, true FROM k
    ON CONFLICT (tenant_id, external_id) DO NOTHING
    RETURNING id, tenant_id, external_id
  )
  SELECT id, tenant_id AS "tenantId", external_id AS "externalId" FROM created
  UNION ALL
  SELECT c.id, c.tenant_id, c.external_id FROM k JOIN commerces c USING (tenant_id, external_id)`;

type Found = { id: string; tenantId: string; externalId: string };

const keyOf = (tenantId: string, externalId: string) => `${tenantId}\n${externalId}`;

/**
 * Standalone results' commerces, created as placeholders where the tenant does not know them yet, by
 * tenant and external id (the map's keys are `placeholderKey`s).
 */
export async function placeholderCommerceIds(
  tx: Sql,
  commerces: readonly { tenantId: string; externalId: string }[],
): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  if (commerces.length === 0) return ids;
  const find = async (wanted: readonly { tenantId: string; externalId: string }[]) => {
    const rows = await tx.query<Found>(FIND_OR_CREATE, [wanted.map((c) => c.tenantId), wanted.map((c) => c.externalId)]);
    for (const row of rows) ids.set(keyOf(row.tenantId, row.externalId), row.id);
  };
  await find(commerces);
  // A concurrent transaction created one after the statement's snapshot was taken: a new statement sees it.
  const missing = commerces.filter((c) => !ids.has(keyOf(c.tenantId, c.externalId)));
  if (missing.length > 0) await find(missing);
  return ids;
}

export const placeholderKey = keyOf;
