// The limits, measured once a run after the rounds, with the targets idle: BullMQ's own add and no-op
// process rate (bullmq-noop.ts, in a process of its own) and PostgreSQL's rate for the worker's statement
// shape (pgbench.ts). The table shows the service's worker-bound figures as fractions of them.
import path from 'node:path';
import { DIST } from '../../harness/processes';
import { runScriptOk } from '../../harness/run-script';
import { deletePrefix, uniqueSuffix } from '../../harness/stores';
import type { BullmqLimit, Limits } from '../figures';
import type { BenchOptions } from '../options';
import { findPgbench, measurePg } from './pgbench';

async function measureBullmq(options: BenchOptions): Promise<BullmqLimit> {
  const prefix = `bench-noop-${uniqueSuffix()}`;
  try {
    const script = path.join(DIST, 'bench', 'limits', 'bullmq-noop.js');
    const stdout = await runScriptOk(
      script,
      [options.redisUrl, prefix, String(options.limitJobs)],
      process.env,
      options.drainTimeoutS * 1000,
    );
    return JSON.parse(stdout.trim().split('\n').pop() ?? '') as BullmqLimit;
  } finally {
    await deletePrefix(options.redisUrl, prefix);
  }
}

export async function measureLimits(options: BenchOptions, log: (message: string) => void): Promise<Limits> {
  log(`limits: BullMQ alone, ${options.limitJobs} jobs`);
  const bullmq = await measureBullmq(options);
  const pgbench = findPgbench();
  if (!pgbench) {
    log('limits: pgbench not found (PATH, /usr/lib/postgresql/*/bin): PostgreSQL alone is not measured');
    return { bullmq, pgSkipped: 'pgbench not found on PATH or under /usr/lib/postgresql/*/bin' };
  }
  log(`limits: PostgreSQL alone (pgbench), ${options.durationS} s one event a transaction, ${options.durationS} s sixteen`);
  return { bullmq, pg: await measurePg(pgbench, options.adminDatabaseUrl, options.durationS) };
}
