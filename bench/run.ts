// `npm run bench` (issue 6): the service and a bare reference, each on a fresh database and queue prefix,
// under the same autocannon load, first synchronous then `Prefer: respond-async`; prints each service
// figure as a ratio to the reference and writes all figures to bench/results/<timestamp>.json.
import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { EventStream, runPhase } from './load';
import { loadOptions, type BenchOptions, type TargetName } from './options';
import { watchRss, type Child } from './processes';
import { compare, formatDetails, formatTable, writeResults, type ProcessCpu, type Runs, type TargetFigures } from './report';
import { QueueWatch, countRows, createDatabase, databaseUrlFor, deletePrefix, dropDatabase, uniqueSuffix } from './stores';
import { START } from './targets';

const RESULTS_DIR = path.resolve(__dirname, '..', '..', 'bench', 'results');
const log = (message: string) => process.stderr.write(`bench: ${message}\n`);

/** What a target run has set up, undone last-in first-out whatever happens. */
class Resources {
  private readonly undo: { what: string; run: () => Promise<unknown> }[] = [];

  add(what: string, run: () => Promise<unknown>): void {
    this.undo.push({ what, run });
  }

  async release(): Promise<void> {
    for (let step = this.undo.pop(); step; step = this.undo.pop()) {
      await step.run().catch((error: Error) => log(`cleanup (${step!.what}) failed: ${error.message}`));
    }
  }
}

let current: Resources | undefined;

async function benchTarget(name: TargetName, options: BenchOptions, stamp: string, resources: Resources): Promise<TargetFigures> {
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
    logPath: (process) => path.join(RESULTS_DIR, `${stamp}-${name}-${runId}-${process}.log`),
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
  const asyncHeaders = { ...target.headers, prefer: 'respond-async' };
  const load = (durationS: number, headers: Record<string, string>) =>
    runPhase({ baseUrl: target.baseUrl, headers, connections: options.connections, durationS, events });
  const alive = () => [target.web, target.worker].forEach((child) => child.assertRunning());
  const drainTimeoutMs = options.drainTimeoutS * 1000;
  const settle = async (after: string) => {
    alive();
    if ((await queue.waitEmpty(drainTimeoutMs)) === undefined) throw new Error(`${name}: queue not empty ${options.drainTimeoutS} s after ${after}`);
  };

  if (options.warmupS > 0) {
    log(`${name}: warm-up, ${options.warmupS} s`);
    await load(options.warmupS, target.headers);
    await settle('the warm-up');
  }
  const cpu = () => ({ web: target.web.cpuSeconds(), worker: target.worker.cpuSeconds() });
  const rowsAtStart = await countRows(db, target.historyTable);
  const syncCpu = cpu();
  log(`${name}: synchronous load, ${options.durationS} s`);
  const sync = await load(options.durationS, target.headers);
  await settle('the synchronous load');

  const rowsBefore = await countRows(db, target.historyTable);
  const asyncCpu = cpu();
  const failedBefore = await queue.failed();
  log(`${name}: async load, ${options.durationS} s, then drain`);
  const startedAt = Date.now();
  const async = await load(options.durationS, asyncHeaders);
  alive();
  const emptyAt = await queue.waitEmpty(drainTimeoutMs);
  const applied = (await countRows(db, target.historyTable)) - rowsBefore;
  const seconds = ((emptyAt ?? Date.now()) - startedAt) / 1000;
  const cpuUsPerEvent = { sync: perEvent(syncCpu, asyncCpu, rowsBefore - rowsAtStart), async: perEvent(asyncCpu, cpu(), applied) };
  stopRss();
  alive();
  return {
    sync,
    async,
    drain: {
      applied,
      accepted: async.responses2xx,
      seconds,
      eventsPerSec: applied / seconds,
      complete: emptyAt !== undefined,
      failedJobs: (await queue.failed()) - failedBefore,
    },
    // Answers cut off when a phase ends can add rows no 2xx counted, never the reverse: clamp each phase.
    notApplied: Math.max(0, sync.responses2xx - (rowsBefore - rowsAtStart)) + Math.max(0, async.responses2xx - applied),
    peakRssMb: { web: target.web.peakRssKb / 1024, worker: target.worker.peakRssKb / 1024 },
    cpuUsPerEvent,
  };
}

/** CPU time each process used between two readings, per event applied meanwhile, in µs. */
function perEvent(before: ProcessCpu, after: ProcessCpu, events: number): ProcessCpu {
  const us = (seconds: number) => (events > 0 ? (seconds * 1e6) / events : 0);
  return { web: us(after.web - before.web), worker: us(after.worker - before.worker) };
}

async function main(): Promise<number> {
  const options = loadOptions(process.argv.slice(2), process.env);
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  mkdirSync(RESULTS_DIR, { recursive: true });
  const deadline = setTimeout(() => void abort(`run exceeded ${options.timeoutS} s`, 1), options.timeoutS * 1000);
  const runs: Runs = {};
  try {
    for (let round = 0; round < options.rounds; round++) {
      // Alternating the order keeps a drift of the machine during the run from favouring one target.
      const order = round % 2 === 0 ? options.targets : [...options.targets].reverse();
      for (const name of order) {
        current = new Resources();
        try {
          (runs[name] ??= []).push(await benchTarget(name, options, stamp, current));
        } finally {
          await current.release();
          current = undefined;
        }
      }
    }
  } finally {
    clearTimeout(deadline);
  }

  const rows = compare(runs);
  console.log(formatTable(rows));
  console.log(formatDetails(runs));
  const judged = rows.filter((row) => row.pass !== null);
  const { rounds, durationS, warmupS, connections, standaloneKeys, activities, workerConcurrency, syncWaitMs } = options;
  const file = writeResults(RESULTS_DIR, stamp, {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryMb: Math.round(os.totalmem() / 2 ** 20), node: process.version },
    settings: { rounds, durationS, warmupS, connections, standaloneKeys, activities, workerConcurrency, syncWaitMs },
    targets: runs,
    comparison: rows,
    pass: judged.length ? judged.every((row) => row.pass) : null,
  });
  console.log(`figures written to ${path.relative(process.cwd(), file)}`);
  return judged.every((row) => row.pass) ? 0 : 2;
}

/** Stops whatever the current target started, then exits: on a signal or when the run takes too long. */
async function abort(reason: string, code: number): Promise<never> {
  log(`stopping: ${reason}`);
  await current?.release();
  process.exit(code);
}

process.once('SIGINT', () => void abort('interrupted', 130));
process.once('SIGTERM', () => void abort('terminated', 143));

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    log(`failed: ${error.message}`);
    process.exit(1);
  },
);
