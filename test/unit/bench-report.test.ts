import { expect } from 'chai';
import type { BulkFigures, Limits, TargetFigures, WorkerDrainFigures } from '../../bench/figures';
import { compare } from '../../bench/judging';
import type { PhaseFigures } from '../../bench/load';
import { formatDetails, formatLimits, formatRoundRatios, formatTable } from '../../bench/report';

function phase(requestsPerSec: number, p99Ms: number): PhaseFigures {
  return { seconds: 15, requestsPerSec, p50Ms: p99Ms / 2, p99Ms, responses2xx: requestsPerSec * 15, failures: 0, statusCounts: {} };
}

function workerDrain(eventsPerSec: number): WorkerDrainFigures {
  const load = phase(1000, 40);
  return { load, queued: 100, applied: 100, accepted: 100, secondsFromStart: 2, seconds: 1, eventsPerSec, complete: true, failedJobs: 0 };
}

function bulk(appliedPerSec: number, failures = 0): BulkFigures {
  return {
    ...{ batchSize: 100, concurrency: 4, requests: 10, loadSeconds: 1, accepted: 1000, acceptedPerSec: 1000, failures },
    ...{ answerCounts: { 202: 10 }, itemCounts: { 202: 1000 }, applied: 1000, seconds: 1, appliedPerSec, complete: true, failedJobs: 0 },
  };
}

function figures(syncRps: number, syncP99: number, asyncRps: number, drainRate: number, webRssMb = 150): TargetFigures {
  return {
    sync: phase(syncRps, syncP99),
    async: phase(asyncRps, 40),
    drain: { applied: 100, accepted: 100, seconds: 1, eventsPerSec: drainRate, complete: true, failedJobs: 0 },
    notApplied: 0,
    peakRssMb: { web: webRssMb, worker: 100 },
    cpuUsPerEvent: { sync: { web: 500, worker: 400 }, async: { web: 300, worker: 300 } },
  };
}

const LIMITS: Limits = {
  bullmq: { jobs: 1000, chunk: 1000, concurrency: 32, addsPerSec: 20_000, processedPerSec: 10_000 },
  pg: {
    oneEvent: { clients: 16, eventsPerTransaction: 1, transactionsPerSec: 5000, eventsPerSec: 5000 },
    sixteenEvents: { clients: 4, eventsPerTransaction: 16, transactionsPerSec: 1250, eventsPerSec: 20_000 },
  },
};

describe('bench report', () => {
  const reference = [figures(1000, 50, 2000, 1500), figures(1200, 40, 1800, 1400), figures(1100, 60, 1900, 1300)].map((f, i) => ({
    ...f,
    workerDrain: workerDrain([1000, 1100, 1200][i]),
  }));
  const service = [figures(1000, 70, 2000, 1300), figures(1300, 44, 1900, 1200), figures(1100, 90, 2100, 1250, 210)].map((f, i) => ({
    ...f,
    workerDrain: workerDrain([3000, 3500, 4000][i]),
    bulk: bulk([4000, 4500, 5000][i]),
  }));
  const row = (name: string, limits?: Limits) => compare({ service, reference }, limits).find((r) => r.figure === name)!;

  it('judges the ratio of the medians over rounds against each target', () => {
    expect(row('sync req/s')).to.include({ service: 1100, reference: 1100, pass: true });
    expect(row('sync req/s').ratio).to.be.closeTo(1, 1e-9);
    expect(row('sync p99 ms').ratio).to.be.closeTo(70 / 50, 1e-9);
    expect(row('async req/s').pass).to.equal(true);
    expect(row('drain events/s').ratio).to.be.closeTo(1250 / 1400, 1e-9);
  });

  it('judges RSS on the worst round', () => {
    expect(row('web peak RSS MB')).to.include({ service: 210, pass: false });
  });

  it('fails a ratio below its target', () => {
    const slow = service.map((f) => ({ ...f, sync: phase(f.sync!.requestsPerSec * 0.9, f.sync!.p99Ms) }));
    expect(compare({ service: slow, reference }).find((r) => r.figure === 'sync req/s')!.pass).to.equal(false);
  });

  it('judges the worker drain at 3x the reference worker drain', () => {
    expect(row('worker drain events/s')).to.include({ service: 3500, reference: 1100, pass: true });
    const slower = service.map((f) => ({ ...f, workerDrain: workerDrain(3000) }));
    expect(compare({ service: slower, reference }).find((r) => r.figure === 'worker drain events/s')!.pass).to.equal(false);
  });

  it("compares bulk end to end with the reference's drain, and bulk acceptance with nothing", () => {
    expect(row('bulk end-to-end events/s (ref: drain)')).to.include({ service: 4500, reference: 1400, pass: true });
    expect(row('bulk accepted events/s')).to.include({ service: 1000, reference: null, ratio: null, pass: null });
  });

  it('fails on any failed bulk event, in the worst round', () => {
    const failing = service.map((f, i) => ({ ...f, bulk: bulk(4500, i === 1 ? 3 : 0) }));
    expect(compare({ service: failing, reference }).find((r) => r.figure === 'bulk failed events')).to.include({ service: 3, pass: false });
  });

  it('gives the worker-bound figures as fractions of the limits, and no fraction without them', () => {
    expect(row('worker drain events/s', LIMITS).ofLimit).to.deep.equal({ pg: 3500 / 20_000, bullmq: 3500 / 10_000 });
    expect(row('drain events/s', { bullmq: LIMITS.bullmq }).ofLimit).to.deep.equal({ bullmq: 1250 / 10_000 });
    expect(row('drain events/s').ofLimit).to.equal(null);
    expect(row('sync req/s', LIMITS).ofLimit).to.equal(null);
    expect(formatTable(compare({ service, reference }, LIMITS))).to.match(/^worker drain events\/s .* pg 0\.17 mq 0\.35$/m);
  });

  it('leaves out what a run did not measure', () => {
    const syncOnly = (f: TargetFigures): TargetFigures => ({
      ...f,
      async: undefined,
      drain: undefined,
      workerDrain: undefined,
      bulk: undefined,
    });
    const rows = compare({ service: service.map(syncOnly), reference: reference.map(syncOnly) });
    expect(rows.find((r) => r.figure === 'worker drain events/s')).to.include({ service: null, pass: null });
    expect(rows.find((r) => r.figure === 'sync req/s')!.pass).to.equal(true);
    expect(formatRoundRatios({ service: service.map(syncOnly), reference: reference.map(syncOnly) })).to.equal(
      'ratios by round: sync req/s 1.00 1.08 1.00; sync p99 ms 1.40 1.10 1.50',
    );
  });

  it('lists the judged ratios round by round', () => {
    expect(formatRoundRatios({ service, reference })).to.equal(
      'ratios by round: sync req/s 1.00 1.08 1.00; sync p99 ms 1.40 1.10 1.50; async req/s 1.00 1.06 1.11; drain events/s 0.87 0.86 0.96; ' +
        'worker drain events/s 3.00 3.18 3.33; bulk end-to-end events/s (ref: drain) 2.67 3.21 3.85',
    );
    expect(formatRoundRatios({ reference })).to.equal('');
  });

  it('sets a run with the cluster target against the service on one Redis, judging no ratio', () => {
    const rows = compare({ service: reference, cluster: service });
    const sync = rows.find((r) => r.figure === 'sync req/s')!;
    expect(sync).to.include({ service: 1100, reference: 1100, target: '', pass: null });
    // The bulk row's baseline is the service's own bulk figure, not its drain.
    expect(rows.find((r) => r.figure.startsWith('bulk end-to-end'))).to.include({ service: 4500, reference: null, ratio: null });
    expect(rows.find((r) => r.figure === 'web peak RSS MB')).to.include({ service: 210, pass: false });
    expect(formatTable(rows, { subject: 'cluster', baseline: 'service' })).to.match(/^figure\s+cluster\s+service\s+ratio/);
  });

  it('says why jobs failed in a round, by reason', () => {
    const failing = { ...service[0], bulk: { ...bulk(4000), failedJobs: 2, failedByReason: { STALE_EVENT: 2 } } };
    expect(formatDetails({ service: [failing] })).to.match(/queue emptied, 2 failed jobs \{"STALE_EVENT":2\}$/m);
    expect(formatDetails({ service: [service[0]] })).to.not.match(/failed jobs \{/);
  });

  it('prints the limits, or why one was not measured', () => {
    expect(formatLimits(LIMITS))
      .to.match(/processed\/s \(mq\)/)
      .and.match(/16 events a transaction, 4 clients\): 1250 tx\/s, 20000 events\/s \(pg\)/);
    expect(formatLimits({ bullmq: LIMITS.bullmq, pgSkipped: 'pgbench not found' })).to.match(/not measured: pgbench not found/);
  });
});
