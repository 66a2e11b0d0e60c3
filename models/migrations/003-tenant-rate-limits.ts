import type { MigrationFn } from '../migrator';

// A tenant's own rate limit; both null means the deployment's RATE_LIMIT_RPS / RATE_LIMIT_BURST.
export const up: MigrationFn = async ({ context: sql }) => {
  await sql.query(`
    ALTER TABLE tenants
      ADD COLUMN rate_limit_rps integer CHECK (rate_limit_rps >= 0),
      ADD COLUMN rate_limit_burst integer CHECK (rate_limit_burst >= 0),
      ADD CONSTRAINT tenants_rate_limit_whole CHECK ((rate_limit_rps IS NULL) = (rate_limit_burst IS NULL));
  `);
};

export const down: MigrationFn = async ({ context: sql }) => {
  await sql.query('ALTER TABLE tenants DROP COLUMN rate_limit_rps, DROP COLUMN rate_limit_burst');
};
