// A target as the rounds use it: started on a fresh database and queue prefix, warmed up, and kept running
// for the whole run, with the readings every phase takes (history rows, queue counts, CPU time).
import path from 'node:path';
import { Client } from 'pg';
import type { Cleanup } from '../harness/cleanup';
import { watchRss, type Child } from '../harness/processes';
import { QueueWatch } from '../harness/queue-watch';
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
  const queuePrefix = `bench-${name}-${runId}`;
  await createDatabase(options.adminDatabaseUrl, database);
  resources.add('drop database', () => dropDatabase(options.adminDatabaseUrl, database));
  resources.add('delete queue keys', () => deletePrefix(options.redisUrl, queuePrefix));
  const children: Child[] = [];
  resources.add('stop processes', () => Promise.all(children.map((child) => child.stop())));

  log(`${name}: starting on database ${database}, queue prefix ${queuePrefix}`);
  const target = await START[name]({
    options,
    runId,
    databaseUrl,
    queuePrefix,
    logPath: (process) => path.join(options.resultsDir, `${stamp}-${name}-${runId}-${process}.log`),
    adopt: (child) => children.push(child),
  });
  const stopRss = watchRss([target.web, target.worker]);
  resources.add('stop RSS sampling', async () => stopRss());
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  resources.add('close database client', () => db.end());
  const queue = new QueueWatch(target.queueName, queuePrefix, options.redisUrl);
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
    load: (durationS, headers) => runPhase({ baseUrl: target.baseUrl, headers, connections: options.connections, durationS, events }),
    alive: () => [target.web, target.worker].forEach((child) => child.assertRunning()),
    waitEmpty: () => queue.waitEmpty(options.drainTimeoutS * 1000),
    historyRows: () => countRows(db, target.historyTable),
    cpu: () => ({ web: target.web.cpuSeconds(), worker: target.worker.cpuSeconds() }),
  };
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
