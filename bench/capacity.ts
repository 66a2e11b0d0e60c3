// `npm run capacity`: what one event costs in storage, measured through the real service. A web process on
// a fresh database and queue prefix takes --events events (batches of 100, `Prefer: respond-async`, two
// events per key, the bench's event body) with no worker running; the queued jobs' Redis memory is read
// key by key (MEMORY USAGE). Then a worker applies them all, and the retained completed jobs (the
// retention of domain/jobs.ts) are read the same way, and PostgreSQL's tables and indexes are sized per
// row. docs/capacity.md scales the figures up.
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { QUEUES } from '../domain/jobs';
import { Flags, usage, wantsHelp } from '../harness/flags';
import { freePort } from '../harness/free-port';
import { Child } from '../harness/processes';
import { QueueWatch } from '../harness/queue-watch';
import { provisionTenant, serviceEnv, waitReady } from '../harness/service';
import { createDatabase, databaseUrlFor, defaultAdminUrl, deletePrefix, dropDatabase, uniqueSuffix } from '../harness/stores';
import { Tool } from '../harness/tool';
import { BATCH_PATH } from './bulk';
import { EventStream } from './load';
import { measureTables, type TableSizes } from './capacity-postgres';

const FLAGS = {
  events: 'CAPACITY_EVENTS',
  'database-url': 'CAPACITY_DATABASE_URL',
  'redis-url': 'CAPACITY_REDIS_URL',
  results: 'CAPACITY_RESULTS',
} as const;

const BATCH = 100;
const tool = new Tool('capacity');
const log = (message: string) => tool.log(message);

/** Bytes Redis holds for a queue prefix's keys, by the key's last part (a job's id counts as `job`). */
async function redisBytes(redisUrl: string, prefix: string): Promise<Record<string, number>> {
  const redis = new Redis(redisUrl);
  try {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      keys.push(...found);
      cursor = next;
    } while (cursor !== '0');
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.memory('USAGE', key, 'SAMPLES', 0);
    const sizes = (await pipeline.exec())!.map(([, bytes]) => Number(bytes ?? 0));
    const queueKey = `${prefix}:${QUEUES.activityResults}:`;
    const totals: Record<string, number> = {};
    keys.forEach((key, i) => {
      const rest = key.startsWith(queueKey) ? key.slice(queueKey.length) : key.slice(prefix.length + 1);
      // Job hashes are `<id>`; their logs `<id>:logs`; the queue's own keys have fixed names.
      const kind = /^tr-/.test(rest) ? (rest.endsWith(':logs') ? 'job logs' : 'job') : rest;
      totals[kind] = (totals[kind] ?? 0) + sizes[i];
    });
    return totals;
  } finally {
    redis.disconnect();
  }
}

async function sendAll(baseUrl: string, key: string, events: EventStream, count: number): Promise<number> {
  let sent = 0;
  let accepted = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (sent < count) {
        const n = Math.min(BATCH, count - sent);
        sent += n;
        const texts = Array.from({ length: n }, () => events.next());
        const response = await fetch(`${baseUrl}${BATCH_PATH}`, {
          method: 'POST',
          headers: { 'x-api-key': key, 'content-type': 'application/json', prefer: 'respond-async' },
          body: `[${texts.join(',')}]`,
          signal: AbortSignal.timeout(30_000),
        });
        const body = (await response.json()) as { items?: { status: number }[] };
        accepted += (body.items ?? []).filter((item) => item.status === 202).length;
      }
    }),
  );
  return accepted;
}

export interface CapacityFigures {
  readonly events: number;
  readonly accepted: number;
  readonly bodyBytes: number;
  readonly redis: { readonly queued: Record<string, number>; readonly completed: Record<string, number> };
  readonly postgres: TableSizes[];
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (wantsHelp(argv)) {
    console.log(usage('npm run capacity --', FLAGS, 'docs/capacity.md'));
    return 0;
  }
  const flags = Flags.parse(FLAGS, argv, process.env);
  const count = Math.floor(flags.number('events', 10_000, 100));
  const adminUrl = flags.string('database-url') ?? defaultAdminUrl();
  const redisUrl = flags.string('redis-url') ?? 'redis://127.0.0.1:6379';
  const resultsDir = path.resolve(flags.string('results') ?? path.join(__dirname, '..', '..', 'bench', 'results'));
  mkdirSync(resultsDir, { recursive: true });

  const runId = uniqueSuffix();
  const database = `capacity_${runId}`;
  const prefix = `capacity-${runId}`;
  const databaseUrl = databaseUrlFor(adminUrl, database);
  await createDatabase(adminUrl, database);
  tool.cleanup.add('drop the database', () => dropDatabase(adminUrl, database));
  tool.cleanup.add('delete the queue keys', () => deletePrefix(redisUrl, prefix));
  const port = await freePort();
  const env = serviceEnv({ databaseUrl, redisUrl, port, queuePrefix: prefix, syncWaitMs: 5_000, logLevel: 'warn' });
  const { key } = await provisionTenant(env, `capacity ${runId}`);
  const logPath = (name: string) => path.join(resultsDir, `capacity-${runId}-${name}.log`);
  const web = Child.start({ name: 'web', script: 'server/index.js', env, logPath: logPath('web') });
  tool.cleanup.add('stop the web', () => web.stop());
  await waitReady(`http://127.0.0.1:${port}/readyz`, [web], 30_000);

  // Two events for each key, the second newer: one result row for every two history rows.
  const keys = Array.from({ length: Math.ceil(count / 2) }, (_, i) => ({
    provider_activity_id: `capacity-${runId}-k${i}`,
    commerce_external_id: `capacity-c${i % 100}`,
  }));
  const bodyBytes = Buffer.byteLength(new EventStream(keys).next());
  log(`sending ${count} events (${bodyBytes} bytes each) with no worker running`);
  const accepted = await sendAll(`http://127.0.0.1:${port}`, key, new EventStream(keys), count);
  const queued = await redisBytes(redisUrl, prefix);

  log(`${accepted} queued; starting a worker`);
  const worker = Child.start({ name: 'worker', script: 'workers/index.js', env, logPath: logPath('worker') });
  tool.cleanup.add('stop the worker', () => worker.stop());
  const queue = new QueueWatch(QUEUES.activityResults, prefix, redisUrl);
  tool.cleanup.add('close the queue watch', () => queue.close());
  if ((await queue.waitEmpty(600_000, 200)) === undefined) throw new Error('the queue did not drain in 10 minutes');
  await worker.stop();
  const completed = await redisBytes(redisUrl, prefix);

  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const postgres = await measureTables(db, ['activity_results', 'activity_result_events']).finally(() => db.end());
  const figures: CapacityFigures = { events: count, accepted, bodyBytes, redis: { queued, completed }, postgres };
  console.log(formatCapacity(figures));
  const file = path.join(resultsDir, `capacity-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`figures written to ${path.relative(process.cwd(), file)}`);
  return 0;
}

function formatCapacity(f: CapacityFigures): string {
  const perJob = (bytes: Record<string, number>) => {
    const jobs = (bytes.job ?? 0) + (bytes['job logs'] ?? 0);
    const lists = Object.entries(bytes)
      .filter(([kind]) => !['job', 'job logs', 'events'].includes(kind))
      .reduce((sum, [, n]) => sum + n, 0);
    return `${((jobs + lists) / f.accepted).toFixed(0)} bytes a job (hashes ${(jobs / f.accepted).toFixed(0)}, sets and lists ${(lists / f.accepted).toFixed(0)}); the event stream ${((bytes.events ?? 0) / 1024).toFixed(0)} KiB, capped`;
  };
  const lines = [
    `${f.accepted} of ${f.events} events accepted, ${f.bodyBytes} bytes of JSON each`,
    `Redis, queued:    ${perJob(f.redis.queued)}`,
    `Redis, completed: ${perJob(f.redis.completed)}`,
    ...f.postgres.flatMap((t) => [
      `${t.table}: ${t.rows} rows; per row ${(t.heapBytes / t.rows).toFixed(0)} bytes heap, ${(t.toastBytes / t.rows).toFixed(0)} TOAST, ` +
        `${(t.indexBytes / t.rows).toFixed(0)} in indexes, ${(t.totalBytes / t.rows).toFixed(0)} in all`,
      ...t.indexes.map((i) => `  ${i.name}: ${(i.bytes / t.rows).toFixed(0)} bytes a row`),
    ]),
  ];
  return lines.join('\n');
}

tool.run(main);
