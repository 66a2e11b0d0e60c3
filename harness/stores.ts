// Fresh PostgreSQL databases and BullMQ queue prefixes for a run of its own, made and dropped through the
// server's admin database, and the few reads a run makes on them.
import { randomBytes } from 'node:crypto';
import { Cluster, type Redis } from 'ioredis';
import { openRedis, type RedisTarget } from '../config/redis';
import { Client } from 'pg';
import { withDefaultUser } from '../models/database-url';

export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

/** The same server as adminUrl, another database. */
export function databaseUrlFor(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** The server's `postgres` database, as the user of databaseUrl (the operating-system user if it names none, as libpq would). */
export function adminUrlOf(databaseUrl: string): string {
  return databaseUrlFor(withDefaultUser(databaseUrl), 'postgres');
}

/** The tools' default server: this machine's, as the operating-system user. */
export function defaultAdminUrl(): string {
  return adminUrlOf('postgres://127.0.0.1:5432/postgres');
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

// Names are made by the harness (lowercase letters, digits, '_'), never from input, so quoting is enough.
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

/** Deletes every Redis key matching a pattern (`<prefix>:*`, or a part of a prefix's keys). */
export async function deleteKeys(where: RedisTarget | string, pattern: string): Promise<void> {
  const redis = openRedis(where, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    // SCAN sees one node's keys: on a cluster, each master's.
    const nodes: Redis[] = redis instanceof Cluster ? redis.nodes('master') : [redis];
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        // One key at a time on a cluster: keys of different slots cannot go in one command.
        if (keys.length) await (redis instanceof Cluster ? Promise.all(keys.map((key) => node.unlink(key))) : node.unlink(...keys));
        cursor = next;
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
}

/** Deletes every Redis key under a queue prefix. */
export function deletePrefix(where: RedisTarget | string, prefix: string): Promise<void> {
  return deleteKeys(where, `${prefix}:*`);
}
