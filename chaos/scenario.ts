// One chaos run: the real web process and two worker processes on a fresh database and queue prefix, a
// stream of events sent through worker kills, a PostgreSQL outage, a hostile burst and a Redis outage,
// then a drain and the final state held against what was acknowledged. `npm run chaos` runs it at full
// size; a test runs it small.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { QUEUES } from '../domain/jobs';
import type { Cleanup } from '../harness/cleanup';
import { freePort } from '../harness/free-port';
import { Child } from '../harness/processes';
import { QueueWatch } from '../harness/queue-watch';
import { activityNames, createActivities, provisionTenant, serviceEnv, waitReady } from '../harness/service';
import { createDatabase, databaseUrlFor, deletePrefix, dropDatabase, uniqueSuffix } from '../harness/stores';
import { TcpProxy } from '../harness/tcp-proxy';
import { WorkerFleet, allowConnections, killWorkers, postgresOutage, redisOutage } from './faults';
import { runHostile, type HostileFigures } from './hostile';
import { jobStats } from './job-stats';
import { buildHostileCases } from './hostile-cases';
import { Ledger } from './ledger';
import type { ChaosOptions } from './options';
import { isBatch, planDeliveries, planKeys, planSendings, seededRandom } from './plan';
import { judge, streamFigures, type ChaosReport, type FaultFigures } from './report';
import { sendAll, sleep } from './sender';
import { jobIdsOf, verify } from './verify';

const TAG = 'chaos';
const HOUR_MS = 3_600_000;

export async function runChaos(options: ChaosOptions, log: (message: string) => void, cleanup: Cleanup): Promise<ChaosReport> {
  const startedAt = Date.now();
  const runId = uniqueSuffix();
  const database = `chaos_${runId}`;
  const databaseUrl = databaseUrlFor(options.adminDatabaseUrl, database);
  const prefix = `chaos-${runId}`;
  const logDir = path.join(options.logDir, `chaos-${runId}`);
  mkdirSync(logDir, { recursive: true });

  await createDatabase(options.adminDatabaseUrl, database);
  cleanup.add('drop the database', () =>
    options.keep ? allowConnections(options.adminDatabaseUrl, database, true) : dropDatabase(options.adminDatabaseUrl, database),
  );
  if (!options.keep) cleanup.add('delete the queue keys', () => deletePrefix(options.redisUrl, prefix));
  // Every service process reaches Redis through this proxy, so an outage is one `stop()` away.
  const redis = new URL(options.redisUrl);
  const redisProxy = await new TcpProxy(Number(redis.port || 6379), redis.hostname).start();
  cleanup.add('stop the Redis proxy', () => redisProxy.stop());

  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const { syncWaitMs, workerConcurrency } = options;
  const env = (logLevel: string) =>
    serviceEnv({
      databaseUrl,
      redisUrl: redisProxy.url('redis', redis.pathname),
      port,
      queuePrefix: prefix,
      syncWaitMs,
      workerConcurrency,
      logLevel,
    });
  log(`run ${runId}: database ${database}, queue prefix ${prefix}, logs in ${logDir}`);
  const { tenantId, key } = await provisionTenant(env('warn'), `${TAG} ${runId}`);

  const web = Child.start({ name: 'web', script: 'server/index.js', env: env('warn'), logPath: path.join(logDir, 'web.log') });
  cleanup.add('stop the web process', () => web.stop());
  const faultRandom = seededRandom(options.seed + 1);
  const startWorker = (n: number) =>
    Child.start({ name: `worker-${n}`, script: 'workers/index.js', env: env('info'), logPath: path.join(logDir, `worker-${n}.log`) });
  const fleet = new WorkerFleet(startWorker, 2, faultRandom);
  cleanup.add('stop the workers', () => fleet.stop());
  await waitReady(`${baseUrl}/readyz`, [web], 30_000);

  const activityIds = await createActivities(baseUrl, key, runId, options.activities, TAG);
  const activities = activityIds.map((id, j) => {
    const names = activityNames(runId, j, TAG);
    return { id, providerActivityId: names.provider_activity_id, commerceExternalId: names.commerce_external_id };
  });
  const planInput = {
    runId,
    events: options.events,
    activities,
    standaloneKeys: options.standaloneKeys,
    duplicateShare: options.duplicateShare,
    random: seededRandom(options.seed),
    originMs: startedAt - 6 * HOUR_MS,
  };
  const deliveries = planDeliveries(planInput, planKeys(planInput));
  const sendings = planSendings(deliveries, runId, seededRandom(options.seed + 2));
  const batches = sendings.filter(isBatch);
  const hostileCases = buildHostileCases({ runId, apiKey: key, tenantId, originMs: startedAt - 7 * HOUR_MS, firstSeq: options.events });
  const batched = batches.reduce((n, b) => n + b.deliveries.length, 0);
  log(
    `sending ${deliveries.length} deliveries of ${options.events} events over ${options.durationS} s (${batched} of them in ${batches.length} batches), with ${options.kills} worker kills`,
  );

  const ledger = new Ledger();
  const durationMs = options.durationS * 1000;
  const sendingStarted = Date.now();
  const at = (share: number) => sleep(sendingStarted + share * durationMs - Date.now());
  const faults: { postgresOutages: FaultFigures['postgresOutages']; redisOutages: FaultFigures['redisOutages'] } = {
    postgresOutages: [],
    redisOutages: [],
  };
  let hostile: HostileFigures | undefined;
  let sendingSeconds = 0;
  let busy = true;

  const sending = sendAll(sendings, ledger, {
    baseUrl,
    apiKey: key,
    concurrency: options.concurrency,
    ratePerSec: deliveries.length / options.durationS,
    requestTimeoutMs: options.syncWaitMs + 10_000,
    patienceMs: 120_000,
  }).then(() => (sendingSeconds = (Date.now() - sendingStarted) / 1000));
  // One fault at a time, so each is seen on its own, the outages early enough to meet the stream: Redis,
  // then PostgreSQL, then the hostile burst (which may outlast the stream; it needs no traffic).
  const timeline = (async () => {
    if (options.redisOutageS > 0) {
      await at(0.2);
      log(`Redis outage, ${options.redisOutageS} s`);
      const began = Date.now();
      await redisOutage(redisProxy, options.redisOutageS * 1000);
      faults.redisOutages.push({ seconds: (Date.now() - began) / 1000 });
    }
    if (options.postgresOutageS > 0) {
      await at(0.45);
      log(`PostgreSQL outage, ${options.postgresOutageS} s`);
      const began = Date.now();
      const terminatedConnections = await postgresOutage(options.adminDatabaseUrl, database, options.postgresOutageS * 1000);
      faults.postgresOutages.push({ seconds: (Date.now() - began) / 1000, terminatedConnections });
    }
    await at(0.7);
    log(`hostile burst, ${hostileCases.length} requests`);
    hostile = await runHostile(hostileCases, { baseUrl, ledger, concurrency: 8, timeoutMs: options.syncWaitMs + 10_000 });
  })();
  const killing =
    options.kills === 0
      ? Promise.resolve()
      : killWorkers(fleet, {
          everyMs: durationMs / options.kills,
          minKills: options.kills,
          restartDelayMs: options.restartDelayMs,
          done: () => !busy,
        });
  await Promise.all([sending, timeline]).finally(() => (busy = false));
  await killing;
  log(`sent in ${sendingSeconds.toFixed(1)} s; ${fleet.kills} workers killed; draining`);

  const queue = new QueueWatch(QUEUES.activityResults, prefix, options.redisUrl);
  cleanup.add('close the queue watch', () => queue.close());
  const drainStarted = Date.now();
  const drainedAt = await queue.waitEmpty(options.drainTimeoutS * 1000, 250);
  const drainSeconds = ((drainedAt ?? Date.now()) - drainStarted) / 1000;
  web.assertRunning();
  fleet.assertAlive();
  const failedJobs = await queue.failedReasons();
  const jobIds = [...new Set([...ledger.records.values()].flatMap((r) => [...jobIdsOf(tenantId, r)]))];
  const jobs = await jobStats(options.redisUrl, prefix, jobIds);
  await Promise.all([web.stop(), fleet.stop()]);

  log('checking the final state');
  const verification = await verify({ databaseUrl, tenantId, ledger, failedJobs });
  const failedJobsByReason: Record<string, number> = {};
  for (const reason of failedJobs.values()) {
    const code = /^[A-Z_]+(?=: )/.exec(reason)?.[0] ?? reason;
    failedJobsByReason[code] = (failedJobsByReason[code] ?? 0) + 1;
  }
  const partial = {
    seed: options.seed,
    seconds: { sending: sendingSeconds, drain: drainSeconds, total: (Date.now() - startedAt) / 1000 },
    stream: streamFigures(ledger),
    faults: { workerKills: fleet.kills, workersStarted: fleet.started.length, ...faults },
    hostile: hostile!,
    drained: drainedAt !== undefined,
    failedJobsByReason,
    jobs,
    verification,
  };
  const failures = judge(partial);
  const report: ChaosReport = { ...partial, pass: failures.length === 0, failures };
  writeFileSync(path.join(logDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  return report;
}
