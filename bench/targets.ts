// How each target is set up and started: the bare reference and the real service, each as a web and a
// worker process on its own fresh database and queue prefix, and the keys its events rotate over.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { QUEUES } from '../domain/jobs';
import { freePort } from '../harness/free-port';
import { Child, DIST } from '../harness/processes';
import { commerceOf, createActivities, provisionTenant, serviceEnv, waitReady } from '../harness/service';
import type { EventKey } from './load';
import type { BenchOptions, TargetName } from './options';
import { REFERENCE_HISTORY_TABLE, REFERENCE_QUEUE, createReferenceSchema } from './reference/schema';

const TAG = 'bench';

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

/** workerConcurrency unset: the service's own default, as deployed. */
function childEnv(ctx: TargetContext, port: number, workerConcurrency?: number): NodeJS.ProcessEnv {
  const { redisUrl, syncWaitMs } = ctx.options;
  return serviceEnv({
    databaseUrl: ctx.databaseUrl,
    redisUrl,
    port,
    queuePrefix: ctx.queuePrefix,
    syncWaitMs,
    workerConcurrency,
    logLevel: 'warn',
  });
}

/** Node's options for a Procfile process (`web: node --flag dist/...`): the service runs as deployed. */
export function procfileNodeArgs(process: string): string[] {
  const line = readFileSync(path.join(DIST, '..', 'Procfile'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${process}:`));
  const words =
    line
      ?.slice(process.length + 1)
      .trim()
      .split(/\s+/) ?? [];
  if (words[0] !== 'node') throw new Error(`the Procfile has no "${process}: node ..." line`);
  return words.slice(1, -1);
}

/** With --profile, each process writes a V8 CPU profile there when it stops. */
function profileArgs(ctx: TargetContext): string[] {
  return ctx.options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${ctx.options.profileDir}`] : [];
}

type Scripts = Record<'web' | 'worker', { readonly script: string; readonly nodeArgs: readonly string[] }>;

async function startPair(ctx: TargetContext, scripts: Scripts, env: NodeJS.ProcessEnv) {
  const start = (name: 'web' | 'worker') => {
    const { script, nodeArgs } = scripts[name];
    const child = Child.start({ name, script, env, logPath: ctx.logPath(name), nodeArgs: [...nodeArgs, ...profileArgs(ctx)] });
    ctx.adopt(child);
    return child;
  };
  const worker = start('worker');
  const web = start('web');
  const baseUrl = `http://127.0.0.1:${env.PORT}`;
  await waitReady(`${baseUrl}/readyz`, [web, worker], 30_000);
  return { web, worker, baseUrl };
}

/** Standalone keys and activities, shuffled so every stretch of the load mixes both. */
function mixKeys(runId: string, standalone: number, activityIds: readonly string[]): EventKey[] {
  const keys: EventKey[] = [
    ...Array.from({ length: standalone }, (_, i) => ({
      provider_activity_id: `${TAG}-${runId}-k${i}`,
      commerce_external_id: commerceOf(i, TAG),
    })),
    ...activityIds.map((id, j) => ({ activity_id: id, commerce_external_id: commerceOf(j, TAG) })),
  ];
  for (let i = keys.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [keys[i], keys[j]] = [keys[j], keys[i]];
  }
  return keys;
}

async function startReference(ctx: TargetContext): Promise<StartedTarget> {
  await createReferenceSchema(ctx.databaseUrl);
  const env = childEnv(ctx, await freePort(), ctx.options.referenceWorkerConcurrency);
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

async function startService(ctx: TargetContext): Promise<StartedTarget> {
  const scripts: Scripts = {
    web: { script: path.join(DIST, 'server', 'index.js'), nodeArgs: procfileNodeArgs('web') },
    worker: { script: path.join(DIST, 'workers', 'index.js'), nodeArgs: procfileNodeArgs('worker') },
  };
  for (const { script } of Object.values(scripts)) {
    if (!existsSync(script))
      throw new Error(
        `${path.relative(DIST, script)} is not built: is the service there yet? (BENCH_TARGETS=reference runs the reference alone)`,
      );
  }
  const env = childEnv(ctx, await freePort());
  const { key } = await provisionTenant(env, `${TAG} ${ctx.runId}`);

  const { web, worker, baseUrl } = await startPair(ctx, scripts, env);
  const activityIds = await createActivities(baseUrl, key, ctx.runId, ctx.options.activities, TAG);
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
