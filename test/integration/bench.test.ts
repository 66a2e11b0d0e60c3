// `npm run bench` in small: both targets started for real, a second of each phase (the worker drain and
// bulk included), the limits with few jobs, the table printed and the figures written. It checks that the
// bench works and counts every event, not how fast anything is.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Limits, TargetFigures } from '../../bench/figures';
import type { Row } from '../../bench/judging';
import { adminUrlOf } from '../../harness/stores';
import { REDIS_URL, TEST_DATABASE_URL } from '../support/env';

const RUN = path.resolve(__dirname, '..', '..', 'bench', 'run.js');
const CAPACITY = path.resolve(__dirname, '..', '..', 'bench', 'capacity.js');

interface Results {
  readonly targets: Record<'service' | 'reference', TargetFigures[]>;
  readonly comparison: Row[];
  readonly limits: Limits;
  readonly settings: { readonly phases: string[] };
}

function bench(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [RUN, ...args], { timeout: 270_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? -1) : 0, stdout, stderr });
    });
  });
}

describe('bench run, small', function () {
  this.timeout(300_000);
  let resultsDir: string;

  beforeEach(() => {
    resultsDir = mkdtempSync(path.join(os.tmpdir(), 'bench-test-'));
  });

  afterEach(() => rmSync(resultsDir, { recursive: true, force: true }));

  it('runs every phase on both targets, prints the table with ratios by round and the limits, and writes every figure', async () => {
    // Enough keys that no two events for one key are ever in flight together on the single route (32
    // connections); the bulk phase's senders have keys of their own: none is stale (409).
    const { code, stdout, stderr } = await bench([
      ...['--rounds', '2', '--duration', '1', '--warmup', '1', '--keys', '500', '--activities', '20', '--drain-timeout', '60'],
      ...['--limit-jobs', '500'],
      ...['--database-url', adminUrlOf(TEST_DATABASE_URL), '--redis-url', REDIS_URL, '--results', resultsDir],
    ]);
    // Exit code 2: a target missed, which a second of load may well do; 1 would be an error.
    expect([0, 2], stderr).to.include(code);
    expect(stdout).to.match(/^figure\s+service\s+reference\s+ratio\s+target\s+pass\s+of limit$/m);
    expect(stdout).to.match(/^ratios by round: sync req\/s \d+\.\d\d \d+\.\d\d; /m);
    expect(stdout).to.match(/^worker drain events\/s\s+\d+\s+\d+\s+\d+\.\d\d\s+>= 3x\s+(yes|NO)\s+(pg \d\.\d\d )?mq \d\.\d\d$/m);
    expect(stdout).to.match(/^limits: BullMQ alone \(500 jobs/m);

    const file = readdirSync(resultsDir).find((name) => name.endsWith('.json'));
    const results = JSON.parse(readFileSync(path.join(resultsDir, file!), 'utf8')) as Results;
    for (const name of ['service', 'reference'] as const) {
      const rounds = results.targets[name];
      expect(rounds, name).to.have.length(2);
      for (const round of rounds) {
        const { sync, async, drain } = round as Required<TargetFigures>;
        expect(sync.responses2xx, `${name} sync`).to.be.greaterThan(0);
        expect(sync.failures + async.failures, `${name} failures`).to.equal(0);
        expect(drain, `${name} drain`).to.include({ complete: true, failedJobs: 0 });
        // Requests still in flight when a phase ends are applied without being counted as answered.
        expect(drain.applied, `${name} applied`).to.be.at.least(drain.accepted);
        // Which phase answered 2xx for events that never reached the history, and with which failures.
        const phases = {
          sync: sync.statusCounts,
          drain,
          workerDrain: round.workerDrain && { ...round.workerDrain, load: round.workerDrain.load.statusCounts },
          bulk: round.bulk,
        };
        expect(round.notApplied, `${name} not applied, by phase: ${JSON.stringify(phases)}`).to.equal(0);
        expect(round.peakRssMb.web).to.be.greaterThan(0);
        const { workerDrain } = round;
        expect(workerDrain, `${name} worker drain`).to.include({ complete: true, failedJobs: 0 });
        expect(workerDrain!.load.failures, `${name} worker drain load failures`).to.equal(0);
        expect(workerDrain!.queued, `${name} queued while the worker was stopped`).to.be.greaterThan(0);
        expect(workerDrain!.applied, `${name} worker drain applied`).to.be.at.least(workerDrain!.accepted);
        expect(workerDrain!.eventsPerSec, `${name} worker drain rate`).to.be.greaterThan(0);
      }
    }
    for (const { bulk } of results.targets.service) {
      expect(bulk, 'bulk').to.include({ failures: 0, complete: true, failedJobs: 0, batchSize: 100 });
      expect(bulk!.accepted, 'bulk accepted').to.be.greaterThan(0);
      expect(bulk!.itemCounts).to.deep.equal({ 202: bulk!.accepted });
      expect(bulk!.applied, 'bulk applied').to.equal(bulk!.accepted);
    }
    expect(
      results.targets.reference.every((round) => round.bulk === undefined),
      'the reference has no bulk route',
    ).to.equal(true);
    expect(results.limits.bullmq).to.include({ jobs: 500 });
    expect(results.limits.bullmq!.processedPerSec).to.be.greaterThan(0);
    // pgbench is on the machines the tests run on; where it is not, the run says so instead.
    if (results.limits.pg) expect(results.limits.pg.sixteenEvents.eventsPerSec).to.be.greaterThan(0);
    else expect(results.limits.pgSkipped).to.match(/pgbench not found/);
    expect(results.settings.phases).to.have.members(['sync', 'async', 'drain', 'worker-drain', 'bulk', 'limits']);
    const ratio = results.comparison.find((row) => row.figure === 'sync req/s')!;
    expect(ratio.ratio).to.be.closeTo(ratio.service! / ratio.reference!, 1e-9);
    const bulkRow = results.comparison.find((row) => row.figure.startsWith('bulk end-to-end'))!;
    expect(bulkRow.ofLimit!.bullmq).to.be.closeTo(bulkRow.service! / results.limits.bullmq!.processedPerSec, 1e-9);
  });

  // The cluster target alone: beside the service on one Redis (the default with --redis-cluster) the test
  // would take twice as long, and the pairing of the two is a unit test's (bench-report).
  it('runs the service on a Redis Cluster of its own as 2 webs and 2 workers, and stops the cluster', async () => {
    const { code, stdout, stderr } = await bench([
      ...['--targets', 'cluster', '--shards', '3', '--phases', 'sync', '--rounds', '1', '--duration', '1', '--warmup', '0'],
      ...['--keys', '100', '--activities', '0'],
      ...['--database-url', adminUrlOf(TEST_DATABASE_URL), '--redis-url', REDIS_URL, '--results', resultsDir],
    ]);
    expect([0, 2], stderr).to.include(code);
    expect(stderr).to.match(/cluster: starting a Redis Cluster/);
    expect(stdout).to.match(/^figure\s+cluster\s+service\s+ratio\s+target\s+pass\s+of limit$/m);
    const file = readdirSync(resultsDir).find((name) => name.endsWith('.json'));
    const results = JSON.parse(readFileSync(path.join(resultsDir, file!), 'utf8')) as Results & {
      targets: Record<'cluster', TargetFigures[]>;
    };
    expect(results.settings).to.include({ shards: 3, processes: 2 });
    const [round] = results.targets.cluster;
    expect(round.sync!.responses2xx).to.be.greaterThan(0);
    expect(round.sync!.failures).to.equal(0);
    expect(round.notApplied).to.equal(0);
    expect(readdirSync(resultsDir).filter((name) => /-cluster-.*-(web|worker)-2\.log$/.test(name))).to.have.length(2);
    expect(stderr).to.not.match(/cleanup \(stop the Redis Cluster\) failed/);
  });

  it('npm run capacity sizes the queued and retained jobs in Redis and the rows in PostgreSQL', async () => {
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const args = ['--events', '200', '--database-url', adminUrlOf(TEST_DATABASE_URL), '--redis-url', REDIS_URL, '--results', resultsDir];
      execFile(process.execPath, [CAPACITY, ...args], { timeout: 120_000 }, (error, out, err) =>
        resolve({ code: error ? Number(error.code ?? -1) : 0, stdout: out, stderr: err }),
      );
    });
    expect(code, stderr).to.equal(0);
    expect(stdout).to.match(/^200 of 200 events accepted, \d+ bytes of JSON each$/m);
    expect(stdout)
      .to.match(/^Redis, queued: +\d+ bytes a job/m)
      .and.match(/^Redis, completed: +\d+ bytes a job/m);
    expect(stdout).to.match(/^activity_results: 100 rows; per row/m);
    // A key's older event is refused as stale when its newer one commits first, in another batch: every
    // key has its row, and at most both of its events are in the history.
    const historyRows = Number(/^activity_result_events: (\d+) rows; per row/m.exec(stdout)?.[1]);
    expect(historyRows, stdout).to.be.within(100, 200);
    const file = readdirSync(resultsDir).find((name) => /^capacity-.*\.json$/.test(name));
    const figures = JSON.parse(readFileSync(path.join(resultsDir, file!), 'utf8')) as { redis: { queued: { job: number } } };
    expect(figures.redis.queued.job).to.be.greaterThan(200 * 500);
  });

  it('runs only the phases it is given', async () => {
    const { code, stdout, stderr } = await bench([
      ...['--phases', 'sync', '--targets', 'reference', '--rounds', '1', '--duration', '1', '--warmup', '0', '--keys', '100'],
      ...['--activities', '0', '--database-url', adminUrlOf(TEST_DATABASE_URL), '--redis-url', REDIS_URL, '--results', resultsDir],
    ]);
    expect([0, 2], stderr).to.include(code);
    expect(stderr)
      .to.match(/reference: synchronous load/)
      .and.not.match(/async load|worker stopped|bulk|limits/);
    expect(stdout).to.not.match(/^limits:/m);
    const file = readdirSync(resultsDir).find((name) => name.endsWith('.json'));
    const results = JSON.parse(readFileSync(path.join(resultsDir, file!), 'utf8')) as Results;
    const [round] = results.targets.reference;
    expect(Object.keys(round)).to.include('sync');
    expect(Object.keys(round).filter((key) => ['async', 'drain', 'workerDrain', 'bulk'].includes(key))).to.deep.equal([]);
    expect(results.limits).to.equal(null);
  });
});
