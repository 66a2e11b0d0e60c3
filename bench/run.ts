// `npm run bench`: the service and a bare reference, each on a fresh database and queue prefix, through the
// phases --phases names (synchronous load, async load with its drain, the worker alone on a queue filled
// while it was stopped, batches on the bulk route), then the limits of BullMQ and PostgreSQL alone; prints
// each service figure as a ratio to the reference and as a fraction of the limits, and writes all figures
// to bench/results/<timestamp>.json.
import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Cleanup } from '../harness/cleanup';
import { usage, wantsHelp } from '../harness/flags';
import { Tool } from '../harness/tool';
import type { Limits, Runs } from './figures';
import { compare, pairingOf } from './judging';
import { measureLimits } from './limits';
import { FLAGS, loadOptions, type BenchOptions } from './options';
import { measureRound } from './phases';
import { formatDetails, formatLimits, formatRoundRatios, formatTable, writeResults } from './report';
import { startTarget, warmUp, type Running } from './running';

const tool = new Tool('bench');
const log = (message: string) => tool.log(message);

/**
 * Every target is started and warmed up first, and stays up. Then each round gives the targets their
 * phases one target after the other, in an order that alternates per round: a target's async phase right
 * after its synchronous one, as a provider's burst follows its steady traffic. Targets are compared under a
 * minute or two apart, so a drift of the shared machine's speed (a third within minutes) shifts both alike
 * instead of favouring whichever ran in the faster minutes. The limits come last, the targets idle.
 */
async function benchAll(options: BenchOptions, stamp: string, resources: Cleanup): Promise<{ runs: Runs; limits?: Limits }> {
  const running: Running[] = [];
  for (const name of options.targets) running.push(await startTarget(name, options, stamp, resources, log));
  for (const run of running) await warmUp(run);
  const runs: Runs = {};
  for (let round = 0; round < options.rounds; round++) {
    const order = round % 2 === 0 ? running : [...running].reverse();
    for (const run of order) (runs[run.name] ??= []).push(await measureRound(run));
  }
  const limits = options.phases.has('limits') ? await measureLimits(options, log) : undefined;
  return { runs, limits };
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
  let measured: { runs: Runs; limits?: Limits };
  try {
    measured = await benchAll(options, stamp, tool.cleanup);
  } finally {
    clearTimeout(deadline);
    await tool.cleanup.release();
  }

  const { runs, limits } = measured;
  const rows = compare(runs, limits);
  const pairing = pairingOf(runs);
  console.log(formatTable(rows, pairing));
  console.log(formatDetails(runs));
  const byRound = formatRoundRatios(runs);
  if (byRound) console.log(byRound);
  if (limits) console.log(formatLimits(limits));
  const judged = rows.filter((row) => row.pass !== null);
  const { rounds, durationS, warmupS, connections, standaloneKeys, activities, referenceWorkerConcurrency, syncWaitMs, limitJobs } =
    options;
  const file = writeResults(options.resultsDir, stamp, {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      memoryMb: Math.round(os.totalmem() / 2 ** 20),
      node: process.version,
    },
    settings: {
      phases: [...options.phases],
      rounds,
      durationS,
      warmupS,
      connections,
      standaloneKeys,
      activities,
      // The service's worker runs with its own default concurrency (config/).
      workerConcurrency: { reference: referenceWorkerConcurrency, service: 'default' },
      syncWaitMs,
      limitJobs,
      ...(options.targets.includes('cluster') ? { shards: options.shards, processes: options.processes } : {}),
    },
    targets: runs,
    limits: limits ?? null,
    // Each row's `service` is the subject's figure, its `reference` the baseline's.
    pairing,
    comparison: rows,
    pass: judged.length ? judged.every((row) => row.pass) : null,
  });
  console.log(`figures written to ${path.relative(process.cwd(), file)}`);
  return judged.every((row) => row.pass) ? 0 : 2;
}

tool.run(main);
