// `npm run bench`: the service and a bare reference, each on a fresh database and queue prefix,
// under the same autocannon load, first synchronous then `Prefer: respond-async`; prints each service
// figure as a ratio to the reference and writes all figures to bench/results/<timestamp>.json.
import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { Cleanup } from '../harness/cleanup';
import { usage, wantsHelp } from '../harness/flags';
import { watchRss, type Child } from '../harness/processes';
import { QueueWatch } from '../harness/queue-watch';
import { countRows, createDatabase, databaseUrlFor, deletePrefix, dropDatabase, uniqueSuffix } from '../harness/stores';
import { Tool } from '../harness/tool';
import { EventStream, runPhase, type PhaseFigures } from './load';
import { FLAGS, loadOptions, type BenchOptions, type TargetName } from './options';
import {
  compare,
  formatDetails,
  formatRoundRatios,
  formatTable,
  writeResults,
  type ProcessCpu,
  type Runs,
  type TargetFigures,
} from './report';
import { START, type StartedTarget } from './targets';

const tool = new Tool('bench');
const log = (message: string) => tool.log(message);

/** A target started and warmed up, kept running for the whole run. */
interface Running {
  readonly name: TargetName;
  readonly target: StartedTarget;
  readonly db: Client;
  readonly queue: QueueWatch;
  readonly load: (durationS: number, headers: Record<string, string>) => Promise<PhaseFigures>;
  readonly alive: () => void;
  /** Waits until the queue is empty; the time it first was, or undefined past the drain timeout. */
  readonly waitEmpty: () => Promise<number | undefined>;
  readonly cpu: () => ProcessCpu;
}

async function startTarget(name: TargetName, options: BenchOptions, stamp: string, resources: Cleanup): Promise<Running> {
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
    db,
    queue,
    load: (durationS, headers) => runPhase({ baseUrl: target.baseUrl, headers, connections: options.connections, durationS, events }),
    alive: () => [target.web, target.worker].forEach((child) => child.assertRunning()),
    waitEmpty: () => queue.waitEmpty(options.drainTimeoutS * 1000),
    cpu: () => ({ web: target.web.cpuSeconds(), worker: target.worker.cpuSeconds() }),
  };
}

async function settle(run: Running, options: BenchOptions, after: string): Promise<void> {
  run.alive();
  if ((await run.waitEmpty()) === undefined) throw new Error(`${run.name}: queue not empty ${options.drainTimeoutS} s after ${after}`);
}

async function warmUp(run: Running, options: BenchOptions): Promise<void> {
  if (options.warmupS === 0) return;
  log(`${run.name}: warm-up, ${options.warmupS} s`);
  await run.load(options.warmupS, run.target.headers);
  await settle(run, options, 'the warm-up');
}

type SyncFigures = Pick<TargetFigures, 'sync'> & { readonly applied: number; readonly cpu: ProcessCpu };

async function measureSync(run: Running, options: BenchOptions): Promise<SyncFigures> {
  const rowsAtStart = await countRows(run.db, run.target.historyTable);
  const cpuAtStart = run.cpu();
  log(`${run.name}: synchronous load, ${options.durationS} s`);
  const sync = await run.load(options.durationS, run.target.headers);
  await settle(run, options, 'the synchronous load');
  const applied = (await countRows(run.db, run.target.historyTable)) - rowsAtStart;
  return { sync, applied, cpu: perEvent(cpuAtStart, run.cpu(), applied) };
}

async function measureAsync(run: Running, options: BenchOptions, synced: SyncFigures): Promise<TargetFigures> {
  const rowsBefore = await countRows(run.db, run.target.historyTable);
  const cpuBefore = run.cpu();
  const failedBefore = await run.queue.failed();
  log(`${run.name}: async load, ${options.durationS} s, then drain`);
  const startedAt = Date.now();
  const async = await run.load(options.durationS, { ...run.target.headers, prefer: 'respond-async' });
  run.alive();
  const emptyAt = await run.waitEmpty();
  const applied = (await countRows(run.db, run.target.historyTable)) - rowsBefore;
  const seconds = ((emptyAt ?? Date.now()) - startedAt) / 1000;
  const cpuUsPerEvent = { sync: synced.cpu, async: perEvent(cpuBefore, run.cpu(), applied) };
  run.alive();
  const { web, worker } = run.target;
  return {
    sync: synced.sync,
    async,
    drain: {
      applied,
      accepted: async.responses2xx,
      seconds,
      eventsPerSec: applied / seconds,
      complete: emptyAt !== undefined,
      failedJobs: (await run.queue.failed()) - failedBefore,
    },
    // Answers cut off when a phase ends can add rows no 2xx counted, never the reverse: clamp each phase.
    notApplied: Math.max(0, synced.sync.responses2xx - synced.applied) + Math.max(0, async.responses2xx - applied),
    // The processes run for the whole run: their peak so far.
    peakRssMb: { web: web.peakRssKb / 1024, worker: worker.peakRssKb / 1024 },
    cpuUsPerEvent,
  };
}

/**
 * Every target is started and warmed up first, and stays up. Then each round gives the targets their
 * phases one target after the other, in an order that alternates per round: a target's async phase right
 * after its synchronous one, as a provider's burst follows its steady traffic. Targets are compared under a
 * minute apart, so a drift of the shared machine's speed (a third within minutes) shifts both alike
 * instead of favouring whichever ran in the faster minutes.
 */
async function benchAll(options: BenchOptions, stamp: string, resources: Cleanup): Promise<Runs> {
  const running: Running[] = [];
  for (const name of options.targets) running.push(await startTarget(name, options, stamp, resources));
  for (const run of running) await warmUp(run, options);
  const runs: Runs = {};
  for (let round = 0; round < options.rounds; round++) {
    const order = round % 2 === 0 ? running : [...running].reverse();
    for (const run of order) (runs[run.name] ??= []).push(await measureAsync(run, options, await measureSync(run, options)));
  }
  return runs;
}

/** CPU time each process used between two readings, per event applied meanwhile, in µs. */
function perEvent(before: ProcessCpu, after: ProcessCpu, events: number): ProcessCpu {
  const us = (seconds: number) => (events > 0 ? (seconds * 1e6) / events : 0);
  return { web: us(after.web - before.web), worker: us(after.worker - before.worker) };
}

async function main(): Promise<number> {
  if (wantsHelp(process.argv.slice(2))) {
    console.log(usage('npm run bench --', FLAGS, 'bench/README.md'));
    return 0;
  }
  const options = loadOptions(process.argv.slice(2), process.env);
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  mkdirSync(options.resultsDir, { recursive: true });
  const deadline = setTimeout(() => void tool.abort(`run exceeded ${options.timeoutS} s`, 1), options.timeoutS * 1000);
  let runs: Runs;
  try {
    runs = await benchAll(options, stamp, tool.cleanup);
  } finally {
    clearTimeout(deadline);
    await tool.cleanup.release();
  }

  const rows = compare(runs);
  console.log(formatTable(rows));
  console.log(formatDetails(runs));
  const byRound = formatRoundRatios(runs);
  if (byRound) console.log(byRound);
  const judged = rows.filter((row) => row.pass !== null);
  const { rounds, durationS, warmupS, connections, standaloneKeys, activities, workerConcurrency, syncWaitMs } = options;
  const file = writeResults(options.resultsDir, stamp, {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      memoryMb: Math.round(os.totalmem() / 2 ** 20),
      node: process.version,
    },
    settings: { rounds, durationS, warmupS, connections, standaloneKeys, activities, workerConcurrency, syncWaitMs },
    targets: runs,
    comparison: rows,
    pass: judged.length ? judged.every((row) => row.pass) : null,
  });
  console.log(`figures written to ${path.relative(process.cwd(), file)}`);
  return judged.every((row) => row.pass) ? 0 : 2;
}

tool.run(main);
