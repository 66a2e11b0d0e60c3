// How each target is set up and started: the bare reference and the real service, each as a web and a
// worker process on its own fresh database and queue prefix, and the keys its events rotate over; the
// service also on a Redis Cluster with queue shards, then as 2 webs and 2 workers (and so the service too).
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { RedisTarget } from '../config/redis';
import { QUEUES } from '../domain/jobs';
import { shardPrefixes } from '../domain/queue-shards';
import { freePort } from '../harness/free-port';
import { Child, DIST } from '../harness/processes';
import type { RedisCluster } from '../harness/redis-cluster';
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
  /** The `cluster` target's Redis Cluster, started for it. */
  readonly cluster?: RedisCluster;
  readonly logPath: (process: string) => string;
  /** Each started child is handed over at once, so it is stopped even if a later step fails. */
  readonly adopt: (child: Child) => void;
}

export interface StartedTarget {
  /** One per web process; the load spreads its connections over them. */
  readonly baseUrls: readonly string[];
  readonly headers: Record<string, string>;
  readonly keys: EventKey[];
  readonly queueName: string;
  /** The queue's prefix, or each shard's. */
  readonly queuePrefixes: readonly string[];
  readonly redis: RedisTarget | string;
  readonly historyTable: string;
  readonly webs: readonly Child[];
  readonly workers: readonly Child[];
}

/** workerConcurrency unset: the service's own default, as deployed. */
function childEnv(ctx: TargetContext, port: number, workerConcurrency?: number): NodeJS.ProcessEnv {
  const { redisUrl, syncWaitMs, shards } = ctx.options;
  return serviceEnv({
    databaseUrl: ctx.databaseUrl,
    redisUrl,
    ...(ctx.cluster ? { redisClusterNodes: ctx.cluster.nodeList, queueShards: shards } : {}),
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

/** `count` workers and `count` webs (each on a port of its own), ready; the first of each keeps the plain name. */
async function startProcesses(ctx: TargetContext, scripts: Scripts, env: (port: number) => NodeJS.ProcessEnv, count: number) {
  const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
  const start = (kind: 'web' | 'worker', i: number) => {
    const { script, nodeArgs } = scripts[kind];
    const name = i === 0 ? kind : `${kind}-${i + 1}`;
    const child = Child.start({
      name,
      script,
      env: env(ports[i]),
      logPath: ctx.logPath(name),
      nodeArgs: [...nodeArgs, ...profileArgs(ctx)],
    });
    ctx.adopt(child);
    return child;
  };
  const workers = ports.map((_, i) => start('worker', i));
  const webs = ports.map((_, i) => start('web', i));
  const baseUrls = ports.map((port) => `http://127.0.0.1:${port}`);
  for (const url of baseUrls) await waitReady(`${url}/readyz`, [...webs, ...workers], 30_000);
  return { webs, workers, baseUrls };
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
  const env = (port: number) => childEnv(ctx, port, ctx.options.referenceWorkerConcurrency);
  const script = (name: string) => ({ script: path.join(DIST, 'bench', 'reference', `${name}.js`), nodeArgs: [] });
  const processes = await startProcesses(ctx, { web: script('web'), worker: script('worker') }, env, 1);
  // The reference knows no activities: an activity id is just another key to it.
  const activityIds = Array.from({ length: ctx.options.activities }, () => randomUUID());
  return {
    ...processes,
    headers: { 'x-api-key': 'unused-by-the-reference' },
    keys: mixKeys(ctx.runId, ctx.options.standaloneKeys, activityIds),
    queueName: REFERENCE_QUEUE,
    queuePrefixes: [ctx.queuePrefix],
    redis: ctx.options.redisUrl,
    historyTable: REFERENCE_HISTORY_TABLE,
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
  const env = (port: number) => childEnv(ctx, port);
  // The migration and the admin CLI listen on no port.
  const { key } = await provisionTenant(env(0), `${TAG} ${ctx.runId}`);

  const processes = await startProcesses(ctx, scripts, env, ctx.options.processes);
  const activityIds = await createActivities(processes.baseUrls[0], key, ctx.runId, ctx.options.activities, TAG);
  const { cluster } = ctx;
  return {
    ...processes,
    headers: { 'x-api-key': key },
    keys: mixKeys(ctx.runId, ctx.options.standaloneKeys, activityIds),
    queueName: QUEUES.activityResults,
    // On a cluster, the shards and the queue as it is with one shard (shard 0's workers consume it too).
    queuePrefixes: cluster ? [...shardPrefixes(ctx.queuePrefix, ctx.options.shards), ctx.queuePrefix] : [ctx.queuePrefix],
    redis: cluster ? { url: ctx.options.redisUrl, clusterNodes: cluster.nodes } : ctx.options.redisUrl,
    historyTable: 'activity_result_events',
  };
}

/** The service and the cluster target start alike: ctx.cluster is what sets them apart. */
export const START: Record<TargetName, (ctx: TargetContext) => Promise<StartedTarget>> = {
  reference: startReference,
  service: startService,
  cluster: startService,
};
