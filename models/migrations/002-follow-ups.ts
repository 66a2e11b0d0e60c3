import type { MigrationFn } from '../migrator';

// A follow-up per suggested time of a result. PostgreSQL is the source of truth; the delayed job in Redis
// is only its timer, re-created from here when lost.
export const up: MigrationFn = async ({ context: sql }) => {
  await sql.query(`
    CREATE TABLE follow_ups (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants (id),
      result_id uuid NOT NULL REFERENCES activity_results (id),
      scheduled_at timestamptz NOT NULL,
      state text NOT NULL DEFAULT 'SCHEDULED' CHECK (state IN ('SCHEDULED', 'CREATED', 'SUPERSEDED')),
      activity_id uuid REFERENCES activities (id),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((state = 'CREATED') = (activity_id IS NOT NULL)),
      UNIQUE (tenant_id, activity_id)
    );
    -- At most one pending follow-up per result: a new time supersedes the old one first.
    CREATE UNIQUE INDEX follow_ups_tenant_result_scheduled ON follow_ups (tenant_id, result_id)
      WHERE state = 'SCHEDULED';
    CREATE INDEX follow_ups_result ON follow_ups (result_id, created_at);
    -- The reconciler walks the pending ones in due order.
    CREATE INDEX follow_ups_scheduled ON follow_ups (scheduled_at, id) WHERE state = 'SCHEDULED';
  `);
};

export const down: MigrationFn = async ({ context: sql }) => {
  await sql.query('DROP TABLE follow_ups');
};
