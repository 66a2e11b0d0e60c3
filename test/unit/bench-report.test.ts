import { expect } from 'chai';
import type { PhaseFigures } from '../../bench/load';
import { compare, formatRoundRatios, type TargetFigures } from '../../bench/report';

function phase(requestsPerSec: number, p99Ms: number): PhaseFigures {
  return { seconds: 15, requestsPerSec, p50Ms: p99Ms / 2, p99Ms, responses2xx: requestsPerSec * 15, failures: 0, statusCounts: {} };
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

describe('bench report', () => {
  const reference = [figures(1000, 50, 2000, 1500), figures(1200, 40, 1800, 1400), figures(1100, 60, 1900, 1300)];
  const service = [figures(900, 70, 1700, 1300), figures(960, 44, 1500, 1200), figures(800, 90, 1600, 1250, 210)];
  const row = (name: string) => compare({ service, reference }).find((r) => r.figure === name)!;

  it('judges the ratio of the medians over rounds against each target', () => {
    expect(row('sync req/s')).to.include({ service: 900, reference: 1100, pass: true });
    expect(row('sync req/s').ratio).to.be.closeTo(900 / 1100, 1e-9);
    expect(row('sync p99 ms').ratio).to.be.closeTo(70 / 50, 1e-9);
    expect(row('async req/s').pass).to.equal(true);
    expect(row('drain events/s').ratio).to.be.closeTo(1250 / 1400, 1e-9);
  });

  it('judges RSS on the worst round', () => {
    expect(row('web peak RSS MB')).to.include({ service: 210, pass: false });
  });

  it('fails a ratio below its target', () => {
    const slow = service.map((f) => ({ ...f, sync: phase(f.sync.requestsPerSec * 0.8, f.sync.p99Ms) }));
    expect(compare({ service: slow, reference }).find((r) => r.figure === 'sync req/s')!.pass).to.equal(false);
  });

  it('lists the judged ratios round by round', () => {
    expect(formatRoundRatios({ service, reference })).to.equal(
      'ratios by round: sync req/s 0.90 0.80 0.73; sync p99 ms 1.40 1.10 1.50; async req/s 0.85 0.83 0.84; drain events/s 0.87 0.86 0.96',
    );
    expect(formatRoundRatios({ reference })).to.equal('');
  });
});
