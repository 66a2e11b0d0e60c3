// The bench's own handles on PostgreSQL and Redis: fresh databases and queue prefixes per target, the
// history row count, and the queue counts that tell when the workers have caught up.
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { Client } from 'pg';

export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

/** The same server as adminUrl, another database. */
export function databaseUrlFor(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Runs `run` on a short-lived connection to the server's admin database. */
export async function withAdmin<T>(adminUrl: string, run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

// Names are made by uniqueSuffix (lowercase letters, digits, '_'), never from input, so quoting is enough.
export async function createDatabase(adminUrl: string, name: string): Promise<void> {
  await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withAdmin(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

export async function countRows(client: Client, table: string): Promise<number> {
  const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
  return Number(rows[0].n);
}

/** Deletes every Redis key under a bench queue prefix. */
export async function deletePrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new IORedis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export class QueueWatch {
  private readonly queue: Queue;

  constructor(name: string, prefix: string, redisUrl: string) {
    this.queue = new Queue(name, { connection: { url: redisUrl }, prefix });
  }

  /** Jobs not yet finished: waiting, running, or delayed for a retry. */
  async pending(): Promise<number> {
    const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
    return Object.values(counts).reduce((sum, n) => sum + n, 0);
  }

  async failed(): Promise<number> {
    return (await this.queue.getJobCounts('failed')).failed ?? 0;
  }

  /** Every failed job's id with its failure reason. */
  async failedReasons(): Promise<Map<string, string>> {
    const jobs = await this.queue.getFailed(0, -1);
    return new Map(jobs.filter((job) => job?.id !== undefined).map((job) => [job.id!, job.failedReason]));
  }

  /** Polls until no job is pending; returns when that was first seen, or undefined after timeoutMs. */
  async waitEmpty(timeoutMs: number, pollMs = 100): Promise<number | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if ((await this.pending()) === 0) return Date.now();
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    return undefined;
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
