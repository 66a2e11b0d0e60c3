// The bare reference's own two tables: what the service's result and history tables boil down to
// when there is no tenant, no activity, no rule. The bench creates them in the reference's fresh database.
import { Client } from 'pg';

export const REFERENCE_QUEUE = 'ref-events';
export const REFERENCE_HISTORY_TABLE = 'ref_events';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS ref_results (
  id bigserial PRIMARY KEY,
  key text NOT NULL UNIQUE,
  status text NOT NULL,
  occurred_at timestamptz NOT NULL,
  body jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS ref_events (
  id bigserial PRIMARY KEY,
  result_id bigint NOT NULL REFERENCES ref_results (id),
  occurred_at timestamptz NOT NULL,
  status text NOT NULL,
  body jsonb NOT NULL,
  job_id text,
  received_at timestamptz NOT NULL
);`;

export async function createReferenceSchema(databaseUrl: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(SCHEMA);
  } finally {
    await client.end();
  }
}

/** What the reference web puts in a job: the body as received, nothing checked. */
export interface ReferenceJobData {
  readonly body: Record<string, unknown>;
  readonly receivedAt: string;
}

export interface ReferenceJobResult {
  readonly id: string;
  readonly key: string;
  readonly status: string;
  readonly occurredAt: string;
  readonly created: boolean;
}

/** Same retention and retries as the service's jobs (server/task-result-queue.ts), so Redis does the same work. */
export const REFERENCE_JOB_OPTIONS = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 200 },
  removeOnComplete: { age: 24 * 3600 },
  removeOnFail: { age: 14 * 24 * 3600 },
} as const;
