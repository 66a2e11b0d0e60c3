import type { Sql } from './sql';

const FIND_OR_CREATE = {
  name: 'find-or-create-placeholder-commerce',
  text: `WITH created AS (
           INSERT INTO commerces (id, tenant_id, external_id, is_placeholder) VALUES (gen_random_uuid(), $1, $2, true)
           ON CONFLICT (tenant_id, external_id) DO NOTHING
           RETURNING id
         )
         SELECT id FROM created UNION ALL SELECT id FROM commerces WHERE tenant_id = $1 AND external_id = $2`,
};

const FIND = { name: 'find-commerce', text: 'SELECT id FROM commerces WHERE tenant_id = $1 AND external_id = $2' };

/** A standalone result's commerce, created as a placeholder when the tenant does not know it yet. */
export async function placeholderCommerceId(tx: Sql, tenantId: string, externalId: string): Promise<string> {
  const [found] = await tx.query<{ id: string }>(FIND_OR_CREATE, [tenantId, externalId]);
  if (found) return found.id;
  // A concurrent transaction created it after this statement's snapshot was taken: a new statement sees it.
  const [again] = await tx.query<{ id: string }>(FIND, [tenantId, externalId]);
  return again.id;
}
