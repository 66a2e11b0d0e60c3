// How each target is set up and started: the bare reference and the real service, each as a web and a
// worker process on its own fresh database and queue prefix, and the keys its events rotate over.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { QUEUES } from '../domain/jobs';
import type { EventKey } from './load';
import type { BenchOptions, TargetName } from './options';
import { Child, freePort, runScript, waitReady } from './processes';
import { REFERENCE_HISTORY_TABLE, REFERENCE_QUEUE, createReferenceSchema } from './reference/schema';

const DIST = path.resolve(__dirname, '..');
const COMMERCES = 100;

export interface TargetContext {
  readonly options: BenchOptions;
  readonly runId: string;
  readonly databaseUrl: string;
  readonly queuePrefix: string;
  readonly logPath: (process: string) => string;
  /** Each started child is handed over at once, so it is stopped even if a later step fails. */
  readonly adopt: (child: Child) => void;
}

export interface StartedTarget {
  readonly baseUrl: string;
  readonly headers: Record<string, string>;
  readonly keys: EventKey[];
  readonly queueName: string;
  readonly historyTable: string;
  readonly web: Child;
  readonly worker: Child;
}

function childEnv(ctx: TargetContext, port: number): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: ctx.databaseUrl,
    REDIS_URL: ctx.options.redisUrl,
    PORT: String(port),
    QUEUE_PREFIX: ctx.queuePrefix,
    SYNC_WAIT_MS: String(ctx.options.syncWaitMs),
    WORKER_CONCURRENCY: String(ctx.options.workerConcurrency),
    // The rate limiter runs as deployed, with a limit far above what the bench sends: its cost is
    // measured, and no request is refused.
    RATE_LIMIT_RPS: '1000000',
    RATE_LIMIT_BURST: '2000000',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
  };
}

/** Node's options for a Procfile process (`web: node --flag dist/...`): the service runs as deployed. */
export function procfileNodeArgs(process: string): string[] {
  const line = readFileSync(path.join(DIST, '..', 'Procfile'), 'utf8').split('\n').find((l) => l.startsWith(`${process}:`));
  const words = line?.slice(process.length + 1).trim().split(/\s+/) ?? [];
  if (words[0] !== 'node') throw new Error(`the Procfile has no "${process}: node ..." line`);
  return words.slice(1, -1);
}

/** With --profile, each process writes a V8 CPU profile there when it stops. */
function profileArgs(ctx: TargetContext): string[] {
  return ctx.options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${ctx.options.profileDir}`] : [];
}

type Scripts = Record<'web' | 'worker', { readonly script: string; readonly nodeArgs: readonly string[] }>;

async function startPair(ctx: TargetContext, scripts: Scripts, env: NodeJS.ProcessEnv) {
  const worker = Child.start('worker', scripts.worker.script, env, ctx.logPath('worker'), [...scripts.worker.nodeArgs, ...profileArgs(ctx)]);
  ctx.adopt(worker);
  const web = Child.start('web', scripts.web.script, env, ctx.logPath('web'), [...scripts.web.nodeArgs, ...profileArgs(ctx)]);
  ctx.adopt(web);
  const baseUrl = `http://127.0.0.1:${env.PORT}`;
  await waitReady(`${baseUrl}/readyz`, [web, worker], 30_000);
  return { web, worker, baseUrl };
}

/** Standalone keys and activities, shuffled so every stretch of the load mixes both. */
function mixKeys(runId: string, standalone: number, activityIds: readonly string[]): EventKey[] {
  const keys: EventKey[] = [
    ...Array.from({ length: standalone }, (_, i) => ({ provider_activity_id: `bench-${runId}-k${i}`, commerce_external_id: `bench-c${i % COMMERCES}` })),
    ...activityIds.map((id, j) => ({ activity_id: id, commerce_external_id: `bench-c${j % COMMERCES}` })),
  ];
  for (let i = keys.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [keys[i], keys[j]] = [keys[j], keys[i]];
  }
  return keys;
}

async function startReference(ctx: TargetContext): Promise<StartedTarget> {
  await createReferenceSchema(ctx.databaseUrl);
  const env = childEnv(ctx, await freePort());
  const script = (name: string) => ({ script: path.join(DIST, 'bench', 'reference', `${name}.js`), nodeArgs: [] });
  const { web, worker, baseUrl } = await startPair(ctx, { web: script('web'), worker: script('worker') }, env);
  // The reference knows no activities: an activity id is just another key to it.
  const activityIds = Array.from({ length: ctx.options.activities }, () => randomUUID());
  return {
    baseUrl,
    headers: { 'x-api-key': 'unused-by-the-reference' },
    keys: mixKeys(ctx.runId, ctx.options.standaloneKeys, activityIds),
    queueName: REFERENCE_QUEUE,
    historyTable: REFERENCE_HISTORY_TABLE,
    web,
    worker,
  };
}

const lastJsonLine = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, string>;

/** Migrates the database `env` names, then makes a tenant and an API key for it with the admin CLI. */
export async function provisionTenant(env: NodeJS.ProcessEnv, name: string): Promise<{ tenantId: string; key: string }> {
  await runScript(path.join(DIST, 'models', 'migrate.js'), [], env);
  const admin = (args: string[]) => runScript(path.join(DIST, 'cli', 'admin.js'), [...args, '--json'], env).then(lastJsonLine);
  const tenant = await admin(['tenant:create', '--name', name]);
  const { key } = await admin(['api-key:create', '--tenant', tenant.id, '--name', name.split(' ')[0]]);
  if (!tenant.id || !key) throw new Error('the admin CLI did not print a tenant id and an api key');
  return { tenantId: tenant.id, key };
}

/** The commerce and provider id of the j-th activity a run creates; `tag` names the tool making them. */
export function activityNames(runId: string, j: number, tag = 'bench') {
  return { commerce_external_id: `${tag}-c${j % COMMERCES}`, provider_activity_id: `${tag}-${runId}-a${j}` };
}

/** Activities made through the API, each on one of the run's commerces, a few requests at a time. */
export async function createActivities(baseUrl: string, apiKey: string, runId: string, count: number, tag = 'bench'): Promise<string[]> {
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
    if (response.status !== 201 || !body.id) throw new Error(`POST /api/activities/tasks answered ${response.status}: ${JSON.stringify(body)}`);
    ids[j] = body.id;
  };
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < count) await createOne(next++);
  }));
  return ids;
}

async function startService(ctx: TargetContext): Promise<StartedTarget> {
  const scripts: Scripts = {
    web: { script: path.join(DIST, 'server', 'index.js'), nodeArgs: procfileNodeArgs('web') },
    worker: { script: path.join(DIST, 'workers', 'index.js'), nodeArgs: procfileNodeArgs('worker') },
  };
  for (const { script } of Object.values(scripts)) {
    if (!existsSync(script)) throw new Error(`${path.relative(DIST, script)} is not built: is the service there yet? (BENCH_TARGETS=reference runs the reference alone)`);
  }
  const env = childEnv(ctx, await freePort());
  const { key } = await provisionTenant(env, `bench ${ctx.runId}`);

  const { web, worker, baseUrl } = await startPair(ctx, scripts, env);
  const activityIds = await createActivities(baseUrl, key, ctx.runId, ctx.options.activities);
  return {
    baseUrl,
    headers: { 'x-api-key': key },
    keys: mixKeys(ctx.runId, ctx.options.standaloneKeys, activityIds),
    queueName: QUEUES.activityResults,
    historyTable: 'activity_result_events',
    web,
    worker,
  };
}

export const START: Record<TargetName, (ctx: TargetContext) => Promise<StartedTarget>> = {
  reference: startReference,
  service: startService,
};
