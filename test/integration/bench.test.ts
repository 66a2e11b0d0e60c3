// `npm run bench` in small: both targets started for real, a second of each load, the table printed and
// the figures written. It checks that the bench works and counts every event, not how fast anything is.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Row, TargetFigures } from '../../bench/report';
import { adminUrlOf } from '../../harness/stores';
import { REDIS_URL, TEST_DATABASE_URL } from '../support/env';

const RUN = path.resolve(__dirname, '..', '..', 'bench', 'run.js');

interface Results {
  readonly targets: Record<'service' | 'reference', TargetFigures[]>;
  readonly comparison: Row[];
}

function bench(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [RUN, ...args], { timeout: 150_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? -1) : 0, stdout, stderr });
    });
  });
}

describe('bench run, small', function () {
  this.timeout(180_000);
  let resultsDir: string;

  beforeEach(() => {
    resultsDir = mkdtempSync(path.join(os.tmpdir(), 'bench-test-'));
  });

  afterEach(() => rmSync(resultsDir, { recursive: true, force: true }));

  it('loads both targets, prints the table with ratios by round, and writes every figure', async () => {
    // Enough keys that no two events for one key are ever in flight together: none is stale (409).
    const { code, stdout, stderr } = await bench([
      ...['--rounds', '2', '--duration', '1', '--warmup', '1', '--keys', '300', '--activities', '20', '--drain-timeout', '60'],
      ...['--database-url', adminUrlOf(TEST_DATABASE_URL), '--redis-url', REDIS_URL, '--results', resultsDir],
    ]);
    // Exit code 2: a target missed, which a second of load may well do; 1 would be an error.
    expect([0, 2], stderr).to.include(code);
    expect(stdout).to.match(/^figure\s+service\s+reference\s+ratio\s+target\s+pass$/m);
    expect(stdout).to.match(/^ratios by round: sync req\/s \d+\.\d\d \d+\.\d\d; /m);

    const file = readdirSync(resultsDir).find((name) => name.endsWith('.json'));
    const results = JSON.parse(readFileSync(path.join(resultsDir, file!), 'utf8')) as Results;
    for (const name of ['service', 'reference'] as const) {
      const rounds = results.targets[name];
      expect(rounds, name).to.have.length(2);
      for (const round of rounds) {
        expect(round.sync.responses2xx, `${name} sync`).to.be.greaterThan(0);
        expect(round.sync.failures + round.async.failures, `${name} failures`).to.equal(0);
        expect(round.drain, `${name} drain`).to.include({ complete: true, failedJobs: 0 });
        // Requests still in flight when a phase ends are applied without being counted as answered.
        expect(round.drain.applied, `${name} applied`).to.be.at.least(round.drain.accepted);
        expect(round.notApplied, `${name} not applied`).to.equal(0);
        expect(round.peakRssMb.web).to.be.greaterThan(0);
      }
    }
    const ratio = results.comparison.find((row) => row.figure === 'sync req/s')!;
    expect(ratio.ratio).to.be.closeTo(ratio.service! / ratio.reference!, 1e-9);
  });
});
