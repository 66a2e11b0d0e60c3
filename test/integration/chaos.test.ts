// `npm run chaos` in small: the same real processes, faults and checks, a few thousand events. The
// promise to providers is held on every change: nothing acknowledged lost, duplicated or misapplied, and
// no 5xx for hostile input. A failure prints the report with its seed (CHAOS_SEED replays the stream)
// and keeps the processes' logs.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { FULL_RUN, type ChaosOptions } from '../../chaos/options';
import { formatReport, type ChaosReport } from '../../chaos/report';
import { runChaos } from '../../chaos/scenario';
import { Cleanup } from '../../harness/cleanup';
import { adminUrlOf } from '../../harness/stores';
import { REDIS_URL, TEST_DATABASE_URL } from '../support/env';

const SHORT = {
  ...FULL_RUN,
  events: 3_000,
  activities: 60,
  standaloneKeys: 60,
  durationS: 25,
  kills: 5,
  postgresOutageS: 3,
  redisOutageS: 3,
  concurrency: 32,
  drainTimeoutS: 120,
};

/** One run with these settings over the short ones, and the text that explains a failure. */
async function run(settings: Partial<ChaosOptions>): Promise<{ report: ChaosReport; explain: string; logDir: string }> {
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'chaos-test-'));
  const seed = Number(process.env.CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const options: ChaosOptions = {
    ...SHORT,
    adminDatabaseUrl: adminUrlOf(TEST_DATABASE_URL),
    redisUrl: REDIS_URL,
    redisCluster: false,
    logDir,
    keep: false,
    seed,
    ...settings,
  };
  const lines: string[] = [];
  const cleanup = new Cleanup((line) => lines.push(line));
  let report: ChaosReport;
  try {
    report = await runChaos(options, (line) => lines.push(line), cleanup);
  } finally {
    await cleanup.release();
  }
  return { report, explain: `${formatReport(report)}\n${lines.join('\n')}\nlogs: ${logDir}`, logDir };
}

describe('chaos run, short', function () {
  this.timeout(240_000);

  it('loses, duplicates and misapplies nothing acknowledged through worker kills, outages and hostile input', async () => {
    const { report, explain, logDir } = await run({});
    expect(report.pass, explain).to.equal(true);
    // The run proves something only if the faults happened while events flowed.
    expect(report.faults.workerKills, explain).to.be.at.least(SHORT.kills);
    expect(report.faults.postgresOutages, explain).to.have.length(1);
    expect(report.stream.refused503, explain).to.be.greaterThan(0);
    expect(report.verification.applied, explain).to.be.greaterThan(SHORT.events / 2);
    expect(report.hostile.requests, explain).to.be.greaterThan(500);
    rmSync(logDir, { recursive: true, force: true });
  });

  it('does the same on a Redis Cluster with 3 shards, 2 webs and 3 workers, through a failover and a master killed', async () => {
    const events = 2_000;
    const { report, explain, logDir } = await run({ events, durationS: 20, kills: 4, redisOutageS: 0, redisCluster: true });
    expect(report.pass, explain).to.equal(true);
    expect(
      report.faults.failovers?.map((f) => f.kind),
      explain,
    ).to.deep.equal(['CLUSTER FAILOVER', 'SIGKILL']);
    expect(report.faults.workerKills, explain).to.be.at.least(4);
    expect(report.faults.postgresOutages, explain).to.have.length(1);
    expect(report.verification.applied, explain).to.be.greaterThan(events / 2);
    rmSync(logDir, { recursive: true, force: true });
  });
});
