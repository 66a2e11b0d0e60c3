// The bare reference worker: one transaction per job that locks the result row, upserts it and appends
// a history row. No tenant, no rules: the floor the service's worker is compared with.
import 'reflect-metadata';
import { Worker, type Job } from 'bullmq';
import { Pool } from 'pg';
import { loadConfigOrExit } from '../../config';
import { REFERENCE_HISTORY_TABLE, REFERENCE_QUEUE, type ReferenceJobData, type ReferenceJobResult } from './schema';

const LOCK = 'SELECT id FROM ref_results WHERE key = $1 FOR UPDATE';
const UPSERT = `
INSERT INTO ref_results (key, status, occurred_at, body) VALUES ($1, $2, $3, $4)
ON CONFLICT (key) DO UPDATE SET status = EXCLUDED.status, occurred_at = EXCLUDED.occurred_at,
  body = EXCLUDED.body, updated_at = now()
RETURNING id, (xmax = 0) AS created`;
const APPEND = `INSERT INTO ${REFERENCE_HISTORY_TABLE} (result_id, occurred_at, status, body, job_id, received_at)
VALUES ($1, $2, $3, $4, $5, $6)`;

async function apply(pool: Pool, job: Job<ReferenceJobData, ReferenceJobResult>): Promise<ReferenceJobResult> {
  const { body, receivedAt } = job.data;
  const key = String(body.activity_id ?? body.provider_activity_id);
  const status = String(body.status);
  const occurredAt = String(body.occurred_at);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(LOCK, [key]);
    const { rows } = await client.query<{ id: string; created: boolean }>(UPSERT, [key, status, occurredAt, body]);
    await client.query(APPEND, [rows[0].id, occurredAt, status, body, job.id, receivedAt]);
    await client.query('COMMIT');
    return { id: rows[0].id, key, status, occurredAt, created: rows[0].created };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

function main(): void {
  const config = loadConfigOrExit();
  // About one connection per job in flight, as the service's worker is told to size its pool.
  const pool = new Pool({ connectionString: config.databaseUrl, max: config.workerConcurrency });
  const worker = new Worker<ReferenceJobData, ReferenceJobResult>(REFERENCE_QUEUE, (job) => apply(pool, job), {
    connection: { url: config.redisUrl, maxRetriesPerRequest: null },
    prefix: config.queuePrefix,
    concurrency: config.workerConcurrency,
  });
  worker.on('failed', (job, error) => console.error(`reference worker: job ${job?.id} failed: ${error.message}`));
  const stop = () =>
    void Promise.allSettled([worker.close()])
      .then(() => pool.end())
      .then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main();
