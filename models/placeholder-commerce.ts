import type { Sequelize, Transaction } from 'sequelize';

const FIND_OR_CREATE = `
  WITH created AS (
    INSERT INTO commerces (id, tenant_id, external_id, is_placeholder) VALUES (gen_random_uuid(), $1, $2, true)
    ON CONFLICT (tenant_id, external_id) DO NOTHING
    RETURNING id
  )
  SELECT id FROM created UNION ALL SELECT id FROM commerces WHERE tenant_id = $1 AND external_id = $2`;

const FIND = 'SELECT id FROM commerces WHERE tenant_id = $1 AND external_id = $2';

/** A standalone result's commerce, created as a placeholder when the tenant does not know it yet. */
export async function placeholderCommerceId(sequelize: Sequelize, tenantId: string, externalId: string, transaction: Transaction): Promise<string> {
  const options = { bind: [tenantId, externalId], transaction };
  const [rows] = await sequelize.query(FIND_OR_CREATE, options);
  const found = (rows as Array<{ id: string }>)[0];
  if (found) return found.id;
  // A concurrent transaction created it after this statement's snapshot was taken: a new statement sees it.
  const [again] = await sequelize.query(FIND, options);
  return (again as Array<{ id: string }>)[0].id;
}
