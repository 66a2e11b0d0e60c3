// One chaos run: the real web process and two worker processes on a fresh database and queue prefix, a
// stream of events sent through worker kills, a PostgreSQL outage, a hostile burst and a Redis outage,
// then a drain and the final state held against what was acknowledged. `npm run chaos` runs it at full
// size; a test runs it small. With `--redis-cluster` the run has a Redis Cluster of its own, 3 queue shards,
// 2 web and 3 worker processes, and where the Redis outage would be a master failover, later a master killed.
import os from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { QUEUES } from '../domain/jobs';
import { keySlot, shardPrefixes } from '../domain/queue-shards';
import type { Cleanup } from '../harness/cleanup';
import { freePort } from '../harness/free-port';
import { Child } from '../harness/processes';
import { QueueWatch } from '../harness/queue-watch';
import { RedisCluster } from '../harness/redis-cluster';
import { activityNames, createActivities, provisionTenant, serviceEnv, waitReady } from '../harness/service';
import { createDatabase, databaseUrlFor, deletePrefix, dropDatabase, uniqueSuffix } from '../harness/stores';
import { TcpProxy } from '../harness/tcp-proxy';
import { WorkerFleet, allowConnections, killWorkers, postgresOutage, redisOutage } from './faults';
import { runHostile, type HostileFigures } from './hostile';
import { loggedErrors } from './logged-errors';
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
/** On a Redis Cluster: one shard per master, and the processes of a scaled-out deployment. */
const CLUSTER_SHARDS = 3;
const CLUSTER_WEBS = 2;
const CLUSTER_WORKERS = 3;
/**
 * On a single Redis: a shard for each worker process, so both apply events, and a killed one's shard is
 * taken over by the other once its lease lapses and handed back when its replacement starts.
 */
const SINGLE_WORKERS = 2;

export async function runChaos(options: ChaosOptions, log: (message: string) => void, cleanup: Cleanup): Promise<ChaosReport> {
  const startedAt = Date.now();
  const runId = uniqueSuffix();
  const database = `chaos_${runId}`;
  const databaseUrl = databaseUrlFor(options.adminDatabaseUrl, database);
  const clustered = options.redisCluster;
  const prefix = clustered ? `{chaos-${runId}}` : `chaos-${runId}`;
  const logDir = path.join(options.logDir, `chaos-${runId}`);
  mkdirSync(logDir, { recursive: true });
  const cluster = clustered ? await RedisCluster.start({ dir: path.join(os.tmpdir(), `chaos-cluster-${runId}`) }) : undefined;
  if (cluster) cleanup.add('stop the Redis Cluster', () => cluster.stop());
  const redisTarget = cluster ? { url: options.redisUrl, clusterNodes: cluster.nodes } : options.redisUrl;
  const shards = clustered ? CLUSTER_SHARDS : SINGLE_WORKERS;
  const queuePrefixes = [...shardPrefixes(prefix, shards), prefix];

  await createDatabase(options.adminDatabaseUrl, database);
  cleanup.add('drop the database', () =>
    options.keep ? allowConnections(options.adminDatabaseUrl, database, true) : dropDatabase(options.adminDatabaseUrl, database),
  );
  if (!options.keep && !cluster)
    cleanup.add('delete the queue keys', async () => {
      for (const queuePrefix of queuePrefixes) await deletePrefix(options.redisUrl, queuePrefix);
    });
  // Every service process reaches Redis through this proxy, so an outage is one `stop()` away.
  const redis = new URL(options.redisUrl);
  const redisProxy = await new TcpProxy(Number(redis.port || 6379), redis.hostname).start();
  cleanup.add('stop the Redis proxy', () => redisProxy.stop());

  const ports = await Promise.all(Array.from({ length: clustered ? CLUSTER_WEBS : 1 }, () => freePort()));
  const baseUrls = ports.map((p) => `http://127.0.0.1:${p}`);
  const [port] = ports;
  const [baseUrl] = baseUrls;
  const { syncWaitMs, workerConcurrency } = options;
  const env = (logLevel: string, webPort = port) =>
    serviceEnv({
      databaseUrl,
      redisUrl: redisProxy.url('redis', redis.pathname),
      ...(cluster ? { redisClusterNodes: cluster.nodeList } : {}),
      queueShards: shards,
      port: webPort,
      queuePrefix: prefix,
      syncWaitMs,
      workerConcurrency,
      logLevel,
    });
  log(`run ${runId}: database ${database}, queue prefix ${prefix}, logs in ${logDir}`);
  const { tenantId, key } = await provisionTenant(env('warn'), `${TAG} ${runId}`);

  const webs = ports.map((webPort, i) =>
    Child.start({
      name: `web-${i + 1}`,
      script: 'server/index.js',
      env: env('warn', webPort),
      logPath: path.join(logDir, `web-${i + 1}.log`),
    }),
  );
  cleanup.add('stop the web processes', () => Promise.all(webs.map((web) => web.stop())));
  const faultRandom = seededRandom(options.seed + 1);
  const startWorker = (n: number) =>
    Child.start({ name: `worker-${n}`, script: 'workers/index.js', env: env('info'), logPath: path.join(logDir, `worker-${n}.log`) });
  const fleet = new WorkerFleet(startWorker, clustered ? CLUSTER_WORKERS : SINGLE_WORKERS, faultRandom);
  cleanup.add('stop the workers', () => fleet.stop());
  for (const url of baseUrls) await waitReady(`${url}/readyz`, webs, 30_000);

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
  const faults: Pick<FaultFigures, 'postgresOutages' | 'redisOutages' | 'failovers'> = {
    postgresOutages: [],
    redisOutages: [],
    ...(cluster ? { failovers: [] } : {}),
  };
  let hostile: HostileFigures | undefined;
  let sendingSeconds = 0;

  const sending = sendAll(sendings, ledger, {
    baseUrl: baseUrls,
    apiKey: key,
    concurrency: options.concurrency,
    ratePerSec: deliveries.length / options.durationS,
    requestTimeoutMs: options.syncWaitMs + 10_000,
    patienceMs: 120_000,
  }).then(() => (sendingSeconds = (Date.now() - sendingStarted) / 1000));
  // One fault at a time, so each is seen on its own, the outages early enough to meet the stream: Redis,
  // then PostgreSQL, then the hostile burst (which may outlast the stream; it needs no traffic).
  const timeline = (async () => {
    if (cluster) {
      // A proxy cannot stand between a client and a cluster (nodes send it to each other's addresses): the
      // fault on Redis is the master of the second shard failing over to its replica as events flow.
      await at(0.2);
      const master = await cluster.masterOf(keySlot(`${queuePrefixes[1]}:x`));
      log(`failing over the Redis master on port ${master.port}`);
      const began = Date.now();
      await cluster.failOver(master);
      faults.failovers!.push({ kind: 'CLUSTER FAILOVER', seconds: (Date.now() - began) / 1000, master: `${master.host}:${master.port}` });
    } else if (options.redisOutageS > 0) {
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
    if (cluster) {
      // Then a master dies outright (SIGKILL) and its replica is elected; the dead node is started again and
      // rejoins as a replica. A 202 waited for the replica to hold its job (WAIT), so nothing acknowledged may
      // be lost with the master: the verdict counts any such event as lost (docs/redis-cluster.md).
      await at(0.6);
      const master = await cluster.masterOf(keySlot(`${queuePrefixes[2]}:x`));
      log(`killing the Redis master on port ${master.port} (SIGKILL)`);
      const killed = await cluster.killMaster(master);
      faults.failovers!.push({
        kind: 'SIGKILL',
        seconds: killed.electedMs / 1000,
        master: `${master.host}:${master.port}`,
        rejoinedSeconds: killed.rejoinedMs! / 1000,
      });
    }
    await at(0.7);
    log(`hostile burst, ${hostileCases.length} requests`);
    hostile = await runHostile(hostileCases, { baseUrl, ledger, concurrency: 8, timeoutMs: options.syncWaitMs + 10_000 });
  })();
  const killing =
    options.kills === 0
      ? Promise.resolve()
      : killWorkers(fleet, { everyMs: durationMs / options.kills, kills: options.kills, restartDelayMs: options.restartDelayMs });
  await Promise.all([sending, timeline]);
  await killing;
  log(`sent in ${sendingSeconds.toFixed(1)} s; ${fleet.kills} workers killed; draining`);

  const queue = new QueueWatch(QUEUES.activityResults, queuePrefixes, redisTarget);
  cleanup.add('close the queue watch', () => queue.close());
  const drainStarted = Date.now();
  const drainedAt = await queue.waitEmpty(options.drainTimeoutS * 1000, 250);
  const drainSeconds = ((drainedAt ?? Date.now()) - drainStarted) / 1000;
  webs.forEach((web) => web.assertRunning());
  fleet.assertAlive();
  const failedJobs = await queue.failedReasons();
  const jobIds = [...new Set([...ledger.records.values()].flatMap((r) => [...jobIdsOf(tenantId, r)]))];
  const jobs = await jobStats(redisTarget, queuePrefixes, jobIds);
  await Promise.all([...webs.map((web) => web.stop()), fleet.stop()]);
  const webErrors = loggedErrors(webs.map((_, i) => path.join(logDir, `web-${i + 1}.log`)));

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
    webErrors,
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
