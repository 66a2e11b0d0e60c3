// The real service as the bench and the chaos run start it: its environment, a wait until it is ready,
// and what it needs before events can be sent (a migrated database, a tenant and an API key made with the
// admin CLI, activities made through the API).
import path from 'node:path';
import type { Child } from './processes';
import { DIST } from './processes';
import { runScriptOk } from './run-script';

const COMMERCES = 100;

export interface ServiceSettings {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** `host:port,…` of a Redis Cluster to run on instead of redisUrl. */
  readonly redisClusterNodes?: string;
  /** Task-result queue shards (QUEUE_SHARDS); the service's default unless given. */
  readonly queueShards?: number;
  readonly port: number;
  readonly queuePrefix: string;
  readonly syncWaitMs: number;
  /** Unset: the service's own default (config/), whatever this process's environment says. */
  readonly workerConcurrency?: number;
  readonly logLevel: string;
}

/** This process's environment with the service's variables set, for a web or a worker process (or the reference's). */
export function serviceEnv(settings: ServiceSettings): NodeJS.ProcessEnv {
  const { WORKER_CONCURRENCY: _inherited, ...inherited } = process.env;
  return {
    ...inherited,
    DATABASE_URL: settings.databaseUrl,
    REDIS_URL: settings.redisUrl,
    ...(settings.redisClusterNodes === undefined ? {} : { REDIS_CLUSTER_NODES: settings.redisClusterNodes }),
    ...(settings.queueShards === undefined ? {} : { QUEUE_SHARDS: String(settings.queueShards) }),
    PORT: String(settings.port),
    QUEUE_PREFIX: settings.queuePrefix,
    SYNC_WAIT_MS: String(settings.syncWaitMs),
    ...(settings.workerConcurrency === undefined ? {} : { WORKER_CONCURRENCY: String(settings.workerConcurrency) }),
    // Far above what a run sends: the limiter runs as deployed and its cost is measured, and none of the
    // answers is its doing (docs/limits.md).
    RATE_LIMIT_RPS: '1000000',
    RATE_LIMIT_BURST: '2000000',
    LOG_LEVEL: settings.logLevel,
    NODE_ENV: 'production',
  };
}

/** Polls GET url until it answers 200; fails early when a child dies. */
export async function waitReady(url: string, children: readonly Child[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    children.forEach((c) => c.assertRunning());
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} not ready after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const lastJsonLine = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, string>;

/** Migrates the database `env` names, then makes a tenant and an API key for it with the admin CLI. */
export async function provisionTenant(env: NodeJS.ProcessEnv, name: string): Promise<{ tenantId: string; key: string }> {
  await runScriptOk(path.join(DIST, 'models', 'migrate.js'), [], env);
  const admin = (args: string[]) => runScriptOk(path.join(DIST, 'cli', 'admin.js'), [...args, '--json'], env).then(lastJsonLine);
  const tenant = await admin(['tenant:create', '--name', name]);
  const { key } = await admin(['api-key:create', '--tenant', tenant.id, '--name', name.split(' ')[0]]);
  if (!tenant.id || !key) throw new Error('the admin CLI did not print a tenant id and an api key');
  return { tenantId: tenant.id, key };
}

/** The j-th of a run's commerces, which its activities and keys share out; `tag` names the tool making them. */
export function commerceOf(j: number, tag: string): string {
  return `${tag}-c${j % COMMERCES}`;
}

/** The commerce and provider id of the j-th activity a run makes. */
export function activityNames(runId: string, j: number, tag: string) {
  return { commerce_external_id: commerceOf(j, tag), provider_activity_id: `${tag}-${runId}-a${j}` };
}

/** Activities made through the API, each on one of the run's commerces, a few requests at a time. */
export async function createActivities(baseUrl: string, apiKey: string, runId: string, count: number, tag: string): Promise<string[]> {
  const ids: string[] = new Array(count);
  let next = 0;
  const createOne = async (j: number) => {
    const response = await fetch(`${baseUrl}/api/activities/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      body: JSON.stringify(activityNames(runId, j, tag)),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await response.json().catch(() => ({}))) as { id?: string };
    if (response.status !== 201 || !body.id)
      throw new Error(`POST /api/activities/tasks answered ${response.status}: ${JSON.stringify(body)}`);
    ids[j] = body.id;
  };
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < count) await createOne(next++);
    }),
  );
  return ids;
}
