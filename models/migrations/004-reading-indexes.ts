import type { MigrationFn } from '../migrator';

// The lists page through a tenant's rows in (updated_at, id) order: each page is one index range scan
// from the cursor on. Built CONCURRENTLY (one statement each: it cannot run in a transaction), so the
// release step never blocks the writes of a running deployment.
export const up: MigrationFn = async ({ context: sql }) => {
  await sql.query(
    'CREATE INDEX CONCURRENTLY IF NOT EXISTS activity_results_tenant_updated ON activity_results (tenant_id, updated_at, id)',
  );
  await sql.query('CREATE INDEX CONCURRENTLY IF NOT EXISTS activities_tenant_updated ON activities (tenant_id, updated_at, id)');
  // A provider looks its result up by its own key, linked results included (the unique index on the key
  // covers standalone results only): without this, a key that matches nothing scans the tenant's results.
  await sql.query(
    'CREATE INDEX CONCURRENTLY IF NOT EXISTS activity_results_tenant_provider_key ON activity_results (tenant_id, provider_activity_id)',
  );
};

export const down: MigrationFn = async ({ context: sql }) => {
  await sql.query('DROP INDEX CONCURRENTLY IF EXISTS activity_results_tenant_updated');
  await sql.query('DROP INDEX CONCURRENTLY IF EXISTS activities_tenant_updated');
  await sql.query('DROP INDEX CONCURRENTLY IF EXISTS activity_results_tenant_provider_key');
};
