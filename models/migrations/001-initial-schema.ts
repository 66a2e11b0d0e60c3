import type { MigrationFn } from '../migrator';

// Every tenant-owned table carries tenant_id and every unique key starts with it.
export const up: MigrationFn = async ({ context: sql }) => {
  await sql.query(`
    CREATE TABLE tenants (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE api_keys (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants (id),
      name text NOT NULL,
      prefix text NOT NULL,
      key_hash char(64) NOT NULL UNIQUE,
      permissions text[] NOT NULL,
      expires_at timestamptz,
      revoked_at timestamptz,
      last_used_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX api_keys_tenant_id ON api_keys (tenant_id);

    CREATE TABLE commerces (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants (id),
      external_id varchar(255) NOT NULL,
      name text,
      is_placeholder boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, external_id)
    );

    CREATE TABLE activities (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants (id),
      commerce_id uuid NOT NULL REFERENCES commerces (id),
      provider_activity_id varchar(255),
      type text NOT NULL DEFAULT 'TASK' CHECK (type = 'TASK'),
      channel text,
      status text NOT NULL DEFAULT 'READY'
        CHECK (status IN ('READY', 'DISPATCHED', 'UNRESOLVED', 'COMPLETED', 'CANCELED', 'FAILED')),
      scheduled_at timestamptz,
      parent_activity_id uuid REFERENCES activities (id),
      source_result_id uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, provider_activity_id)
    );

    CREATE TABLE activity_results (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants (id),
      activity_id uuid REFERENCES activities (id),
      provider_activity_id varchar(255),
      commerce_id uuid NOT NULL REFERENCES commerces (id),
      source text NOT NULL CHECK (source IN ('RETEN_ACTIVITY', 'STANDALONE')),
      result_status text NOT NULL
        CHECK (result_status IN ('PENDING', 'COMPLETED', 'NOT_EXECUTED', 'CANCELED', 'TRANSFERRED')),
      external_status varchar(255),
      occurred_at timestamptz NOT NULL,
      hard_override boolean NOT NULL DEFAULT false,
      raw_payload jsonb,
      task_result varchar(100) NOT NULL,
      task_comment text,
      contact_type text CHECK (contact_type IN ('INBOUND', 'OUTBOUND')),
      operator_external_id varchar(255),
      future_scheduled_at timestamptz,
      task_payload jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((source = 'RETEN_ACTIVITY') = (activity_id IS NOT NULL)),
      CHECK (activity_id IS NOT NULL OR provider_activity_id IS NOT NULL)
    );
    CREATE UNIQUE INDEX activity_results_tenant_activity ON activity_results (tenant_id, activity_id)
      WHERE activity_id IS NOT NULL;
    CREATE UNIQUE INDEX activity_results_tenant_standalone_key ON activity_results (tenant_id, provider_activity_id)
      WHERE activity_id IS NULL;
    ALTER TABLE activities ADD FOREIGN KEY (source_result_id) REFERENCES activity_results (id);

    CREATE TABLE activity_result_events (
      id bigserial PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants (id),
      result_id uuid NOT NULL REFERENCES activity_results (id),
      occurred_at timestamptz NOT NULL,
      status text NOT NULL,
      body jsonb NOT NULL,
      fingerprint char(64) NOT NULL,
      job_id text,
      received_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, fingerprint)
    );
    CREATE INDEX activity_result_events_result ON activity_result_events (result_id, occurred_at);

    CREATE TABLE task_result_types (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants (id),
      code varchar(100) NOT NULL,
      label text NOT NULL,
      requires_future_scheduled_at boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, code)
    );
  `);
};

export const down: MigrationFn = async ({ context: sql }) => {
  await sql.query(`
    DROP TABLE task_result_types, activity_result_events;
    ALTER TABLE activities DROP COLUMN source_result_id;
    DROP TABLE activity_results, activities, commerces, api_keys, tenants;
  `);
};
