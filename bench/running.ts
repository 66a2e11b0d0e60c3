// A target as the rounds use it: started on a fresh database and queue prefix, warmed up, and kept running
// for the whole run, with the readings every phase takes (history rows, queue counts, CPU time).
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { Cleanup } from '../harness/cleanup';
import { watchRss, type Child } from '../harness/processes';
import { QueueWatch } from '../harness/queue-watch';
import { RedisCluster } from '../harness/redis-cluster';
import { countRows, createDatabase, databaseUrlFor, deletePrefix, dropDatabase, uniqueSuffix } from '../harness/stores';
import type { ProcessCpu, TargetFigures } from './figures';
import { EventStream, runPhase, type PhaseFigures } from './load';
import type { BenchOptions, TargetName } from './options';
import { START, type StartedTarget } from './targets';

export interface Running {
  readonly name: TargetName;
  readonly target: StartedTarget;
  readonly options: BenchOptions;
  readonly db: Client;
  readonly queue: QueueWatch;
  /** The target's events, one stream for every phase: each key only ever sees newer events. */
  readonly events: EventStream;
  readonly log: (message: string) => void;
  readonly load: (durationS: number, headers: Record<string, string>) => Promise<PhaseFigures>;
  /** Fails when web or worker has exited. */
  readonly alive: () => void;
  /** Waits until the queue is empty; the time it first was, or undefined past the drain timeout. */
  readonly waitEmpty: () => Promise<number | undefined>;
  readonly historyRows: () => Promise<number>;
  readonly cpu: () => ProcessCpu;
}

export async function startTarget(
  name: TargetName,
  options: BenchOptions,
  stamp: string,
  resources: Cleanup,
  log: (message: string) => void,
): Promise<Running> {
  const runId = uniqueSuffix();
  const database = `bench_${name}_${runId}`;
  const databaseUrl = databaseUrlFor(options.adminDatabaseUrl, database);
  const clustered = name === 'cluster';
  // On a cluster the prefix must hold a hash tag; the cluster's keys go with it when it stops.
  const queuePrefix = clustered ? `{bench-${name}-${runId}}` : `bench-${name}-${runId}`;
  await createDatabase(options.adminDatabaseUrl, database);
  resources.add('drop database', () => dropDatabase(options.adminDatabaseUrl, database));
  let cluster: RedisCluster | undefined;
  if (clustered) {
    log(`${name}: starting a Redis Cluster of 3 masters and 3 replicas`);
    cluster = await RedisCluster.start({ dir: path.join(os.tmpdir(), `bench-cluster-${runId}`) });
    resources.add('stop the Redis Cluster', () => cluster!.stop());
  } else {
    resources.add('delete queue keys', () => deletePrefix(options.redisUrl, queuePrefix));
  }
  const children: Child[] = [];
  resources.add('stop processes', () => Promise.all(children.map((child) => child.stop())));

  log(`${name}: starting on database ${database}, queue prefix ${queuePrefix}`);
  const target = await START[name]({
    options,
    runId,
    databaseUrl,
    queuePrefix,
    cluster,
    logPath: (process) => path.join(options.resultsDir, `${stamp}-${name}-${runId}-${process}.log`),
    adopt: (child) => children.push(child),
  });
  const processes = [...target.webs, ...target.workers];
  const stopRss = watchRss(processes);
  resources.add('stop RSS sampling', async () => stopRss());
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  resources.add('close database client', () => db.end());
  const queue = new QueueWatch(target.queueName, target.queuePrefixes, target.redis);
  resources.add('close queue', () => queue.close());

  const events = new EventStream(target.keys);
  return {
    name,
    target,
    options,
    db,
    queue,
    events,
    log,
    load: (durationS, headers) => runPhase({ baseUrls: target.baseUrls, headers, connections: options.connections, durationS, events }),
    alive: () => processes.forEach((child) => child.assertRunning()),
    waitEmpty: () => queue.waitEmpty(options.drainTimeoutS * 1000),
    historyRows: () => countRows(db, target.historyTable),
    cpu: () => ({ web: cpuSeconds(target.webs), worker: cpuSeconds(target.workers) }),
  };
}

/** CPU seconds of processes of one kind together: per event, what a deployment of them spends. */
const cpuSeconds = (children: readonly Child[]) => children.reduce((sum, child) => sum + child.cpuSeconds(), 0);

/** The jobs that failed since a moment, and why: by the failure's code (`STALE_EVENT: …`), else its message. */
export interface FailedSince {
  readonly count: number;
  readonly byReason: Record<string, number>;
}

/** Notes the failed jobs now; the function it returns tells which failed since. */
export async function failedSnapshot(run: Running): Promise<() => Promise<FailedSince>> {
  const before = await run.queue.failedReasons();
  return async () => {
    const byReason: Record<string, number> = {};
    let count = 0;
    for (const [id, reason] of await run.queue.failedReasons()) {
      if (before.has(id)) continue;
      count++;
      const code = /^[A-Z_]+(?=: )/.exec(reason)?.[0] ?? reason;
      byReason[code] = (byReason[code] ?? 0) + 1;
    }
    return { count, byReason };
  };
}

/** A phase's failed jobs as its figures hold them: the count, and the reasons when there are any. */
export async function failedFigures(
  since: () => Promise<FailedSince>,
): Promise<{ failedJobs: number; failedByReason?: Record<string, number> }> {
  const { count, byReason } = await since();
  return count > 0 ? { failedJobs: count, failedByReason: byReason } : { failedJobs: 0 };
}

/** Fails unless the queue empties within the drain timeout. */
export async function settle(run: Running, after: string): Promise<void> {
  run.alive();
  if ((await run.waitEmpty()) === undefined) throw new Error(`${run.name}: queue not empty ${run.options.drainTimeoutS} s after ${after}`);
}

export async function warmUp(run: Running): Promise<void> {
  const { warmupS } = run.options;
  if (warmupS === 0) return;
  run.log(`${run.name}: warm-up, ${warmupS} s`);
  await run.load(warmupS, run.target.headers);
  await settle(run, 'the warm-up');
}

/** CPU time each process used between two readings, per event applied meanwhile, in µs. */
export function perEvent(before: ProcessCpu, after: ProcessCpu, events: number): ProcessCpu {
  const us = (seconds: number) => (events > 0 ? (seconds * 1e6) / events : 0);
  return { web: us(after.web - before.web), worker: us(after.worker - before.worker) };
}

/** What a phase adds to a round's figures. */
export interface PhaseOutcome {
  readonly figures: Pick<TargetFigures, 'sync' | 'async' | 'drain' | 'workerDrain' | 'bulk'>;
  readonly cpuUsPerEvent?: TargetFigures['cpuUsPerEvent'];
  /** 2xx answers (or 202 items) the phase got that never became a history row. */
  readonly notApplied: number;
}

// Answers cut off when a phase ends can add rows no 2xx counted, never the reverse: each phase is clamped.
export const notAppliedOf = (accepted: number, applied: number) => Math.max(0, accepted - applied);
