// PostgreSQL's own rate for the worker's statement shape, with pgbench: lock result rows FOR UPDATE,
// update them and insert history rows, one event a transaction and 16 (set-based, as the worker's group
// commit writes them), each client on rows of its own so no lock is contended. On a database of its own,
// created and dropped here.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDatabase, databaseUrlFor, dropDatabase, uniqueSuffix, withAdmin } from '../../harness/stores';
import type { PgLimit } from '../figures';

/** Rows per client: the 16 a sixteen-event transaction takes, which a one-event one picks from. */
const ROWS_PER_CLIENT = 16;
const MAX_CLIENTS = 16;

const SCHEMA = `
CREATE TABLE results (id bigint PRIMARY KEY, key text NOT NULL UNIQUE, status text NOT NULL,
  occurred_at timestamptz NOT NULL, body jsonb NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE history (id bigserial PRIMARY KEY, result_id bigint NOT NULL REFERENCES results (id),
  occurred_at timestamptz NOT NULL, status text NOT NULL, body jsonb NOT NULL, job_id text, received_at timestamptz NOT NULL);
INSERT INTO results (id, key, status, occurred_at, body)
  SELECT n, 'k' || n, 'PENDING', now(), '{}' FROM generate_series(1, ${MAX_CLIENTS * ROWS_PER_CLIENT}) AS n;`;

// An event's body about the size of a bench event's.
const BODY = `'${JSON.stringify({ status: 'PENDING', external_status: 'IN_PROGRESS', task_result: { result: 'CALLBACK', comment: 'x'.repeat(60) } })}'::jsonb`;

const ONE_EVENT = `\\set id :client_id * ${ROWS_PER_CLIENT} + random(1, ${ROWS_PER_CLIENT})
BEGIN;
SELECT id FROM results WHERE id = :id FOR UPDATE;
UPDATE results SET status = 'PENDING', occurred_at = now(), body = ${BODY}, updated_at = now() WHERE id = :id;
INSERT INTO history (result_id, occurred_at, status, body, job_id, received_at) VALUES (:id, now(), 'PENDING', ${BODY}, 'j', now());
END;
`;

const SIXTEEN_EVENTS = `\\set lo :client_id * ${ROWS_PER_CLIENT} + 1
\\set hi :client_id * ${ROWS_PER_CLIENT} + ${ROWS_PER_CLIENT}
BEGIN;
SELECT id FROM results WHERE id BETWEEN :lo AND :hi ORDER BY id FOR UPDATE;
UPDATE results SET status = 'PENDING', occurred_at = now(), body = ${BODY}, updated_at = now() WHERE id BETWEEN :lo AND :hi;
INSERT INTO history (result_id, occurred_at, status, body, job_id, received_at) SELECT id, now(), 'PENDING', ${BODY}, 'j', now() FROM generate_series(:lo::bigint, :hi::bigint) AS id;
END;
`;

/** pgbench on PATH, or the newest under /usr/lib/postgresql/<version>/bin; undefined when there is none. */
export function findPgbench(): string | undefined {
  try {
    const found = execFileSync('sh', ['-c', 'command -v pgbench'], { encoding: 'utf8' }).trim();
    if (found) return found;
  } catch {
    // not on PATH
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  return versions.map((v) => path.join(root, v, 'bin', 'pgbench')).find((file) => existsSync(file));
}

function runPgbench(pgbench: string, databaseUrl: string, script: string, clients: number, seconds: number): Promise<number> {
  const url = new URL(databaseUrl);
  const args = ['-n', '-M', 'extended', '-f', script, '-c', String(clients), '-j', String(Math.min(clients, os.cpus().length))];
  args.push('-T', String(Math.ceil(seconds)), '-h', url.hostname, '-p', url.port || '5432');
  if (url.username) args.push('-U', decodeURIComponent(url.username));
  args.push(decodeURIComponent(url.pathname.slice(1)));
  const env = { ...process.env, ...(url.password ? { PGPASSWORD: decodeURIComponent(url.password) } : {}) };
  return new Promise((resolve, reject) => {
    execFile(pgbench, args, { env, timeout: (seconds + 60) * 1000 }, (error, stdout, stderr) => {
      const tps = /^tps = ([\d.]+)/m.exec(stdout);
      const why = error ? (error.signal ?? `exit code ${error.code}`) : 'no tps line';
      if (error || !tps) reject(new Error(`pgbench failed (${why}): ${(stderr.trim() || stdout.trim()).split('\n').slice(-5).join('\n')}`));
      else resolve(Number(tps[1]));
    });
  });
}

export async function measurePg(
  pgbench: string,
  adminUrl: string,
  seconds: number,
): Promise<{ oneEvent: PgLimit; sixteenEvents: PgLimit }> {
  const database = `bench_pgbench_${uniqueSuffix()}`;
  const databaseUrl = databaseUrlFor(adminUrl, database);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-pgbench-'));
  await createDatabase(adminUrl, database);
  try {
    await withAdmin(databaseUrl, (client) => client.query(SCHEMA));
    const run = async (name: string, text: string, clients: number, eventsPerTransaction: number): Promise<PgLimit> => {
      const script = path.join(dir, name);
      writeFileSync(script, text);
      const transactionsPerSec = await runPgbench(pgbench, databaseUrl, script, clients, seconds);
      return { clients, eventsPerTransaction, transactionsPerSec, eventsPerSec: transactionsPerSec * eventsPerTransaction };
    };
    const oneEvent = await run('one-event.sql', ONE_EVENT, 16, 1);
    const sixteenEvents = await run('sixteen-events.sql', SIXTEEN_EVENTS, 4, ROWS_PER_CLIENT);
    return { oneEvent, sixteenEvents };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await dropDatabase(adminUrl, database);
  }
}
