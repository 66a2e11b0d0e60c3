// Several worker processes on one task-result queue: one of them at a time consumes a shard, so a key's
// events sent oldest first are all applied, and a shard moves to another process when its owner stops,
// dies or has more than its share.
import { expect } from 'chai';
import type { Transaction } from 'sequelize';
import { Activity, ActivityResult, Commerce, Tenant } from '../../models';
import { createJobMetrics } from '../../workers/job-metrics';
import { workerConnection } from '../../workers/redis';
import { startWorkers, type RunningWorkers } from '../../workers/start-workers';
import { count, sequelize } from '../support/db';
import { REDIS_URL } from '../support/env';
import { createTenant, minutesAfter, seedEvent, type TestTenant } from '../support/fixtures';
import { postBatch, postResult } from '../support/http';
import { startWorkerProcess, type WorkerProcess } from '../support/processes';
import { silentLogger, startStack, type Stack } from '../support/stack';
import { eventually } from '../support/wait';
import { Registry } from 'prom-client';

const T0 = '2025-01-16T14:30:00.000Z';
const LEASE_MS = 1_000;

describe('task-result shards shared by worker processes', function () {
  this.timeout(30_000);

  let stack: Stack;
  let tenant: TestTenant;
  const others: Array<{ workers: RunningWorkers; close(): Promise<void> }> = [];
  let child: WorkerProcess | undefined;
  let lock: Transaction | undefined;

  /** Another worker process's workers on the stack's queue, on a Redis connection of their own. */
  function startOther(options: { workerShards?: number[]; queueShards?: number } = {}): RunningWorkers {
    const connection = workerConnection(REDIS_URL);
    const workers = startWorkers({
      sequelize: sequelize(),
      connection,
      prefix: stack.prefix,
      queueShards: options.queueShards,
      workerShards: options.workerShards,
      shardLeaseMs: LEASE_MS,
      concurrency: 8,
      maxClockSkewMs: 300_000,
      logger: silentLogger,
      metrics: createJobMetrics(new Registry()),
    });
    others.push({ workers, close: async () => (await workers.close(), connection.disconnect()) });
    return workers;
  }

  const owned = (workers: RunningWorkers) => workers.ownedShards().join(',');
  const until = (workers: RunningWorkers, shards: string) => eventually(async () => (owned(workers) === shards ? true : undefined));

  async function start(options: { workers?: boolean; queueShards?: number } = {}) {
    stack = await startStack({
      workers: options.workers,
      env: { SHARD_LEASE_MS: String(LEASE_MS), QUEUE_SHARDS: String(options.queueShards ?? 1) },
    });
    tenant = await createTenant();
    await Tenant.update({ rateLimitRps: 0, rateLimitBurst: 0 }, { where: { id: tenant.tenantId } });
  }

  afterEach(async () => {
    await child?.process.kill();
    child = undefined;
    await lock?.rollback();
    lock = undefined;
    for (const other of others.splice(0)) await other.close();
    await stack.close();
  });

  it('applies every event of a key sent oldest first, in batches one after another, with two processes on the queue', async () => {
    await start();
    startOther();
    const keys = ['shift-a', 'shift-b', 'shift-c'];
    const batches = 4;
    for (let b = 0; b < batches; b++) {
      const events = Array.from({ length: 30 }, (_, i) => {
        const n = b * 30 + i;
        return seedEvent({ provider_activity_id: keys[n % 3], occurred_at: minutesAfter(T0, n), external_status: `e${n}` });
      });
      expect((await postBatch(stack.baseUrl, tenant, events, { prefer: 'respond-async' })).body.counts).to.deep.equal({ 202: 30 });
    }
    const queue = stack.web.taskResults.queue;
    const total = batches * 30;
    const counts = await eventually(async () => {
      const c = await queue.getJobCounts('completed', 'failed');
      return c.completed + c.failed === total ? c : undefined;
    });
    const reasons = (await queue.getFailed()).map((job) => job.failedReason);
    expect(counts, JSON.stringify(reasons.slice(0, 3))).to.deep.equal({ completed: total, failed: 0 });
    expect(await count('activity_result_events')).to.equal(total);
  });

  it('hands the shard to the waiting process when its owner stops, and applies what comes next', async () => {
    await start();
    await until(stack.workers!, '0');
    const standby = startOther();
    expect((await postResult(stack.baseUrl, tenant, seedEvent({ occurred_at: T0 }))).status).to.equal(201);
    expect(owned(standby)).to.equal('');
    await stack.stopWorkers();
    await until(standby, '0');
    expect((await postResult(stack.baseUrl, tenant, seedEvent({ occurred_at: minutesAfter(T0, 1) }))).status).to.equal(200);
  });

  it("takes over the shard of a worker process killed mid-job once its lease lapses, its job first and then the key's newer one", async function () {
    this.timeout(60_000);
    await start({ workers: false });
    const commerce = await Commerce.create({ tenantId: tenant.tenantId, externalId: 'store-001', isPlaceholder: false });
    const activity = await Activity.create({ tenantId: tenant.tenantId, commerceId: commerce.id, providerActivityId: 'visit-killed' });
    lock = await sequelize().transaction();
    await Activity.findByPk(activity.id, { transaction: lock, lock: lock.LOCK.UPDATE });
    child = await startWorkerProcess(stack.prefix, { SHARD_LEASE_MS: String(LEASE_MS), WORKER_CONCURRENCY: '1' });
    await child.process.waitForLine(/consuming task-result shard/, 10_000);
    const metrics = await (await fetch(`http://127.0.0.1:${child.metricsPort}/metrics`)).text();
    expect(metrics).to.include('task_result_shards_held{shard="0"} 1');
    const standby = startOther();
    const event = (minutes: number) =>
      seedEvent({ provider_activity_id: 'visit-killed', occurred_at: minutesAfter(T0, minutes), external_status: `m${minutes}` });
    const older = await postResult(stack.baseUrl, tenant, event(0), { prefer: 'respond-async' });
    // The job waits on this test's row lock in the child's transaction; the newer event waits in the queue.
    await eventually(async () => ((await stack.web.taskResults.getJob(older.body.jobId))?.processedOn ? true : undefined));
    await postResult(stack.baseUrl, tenant, event(1), { prefer: 'respond-async' });
    await child.process.kill();
    await lock.rollback();
    lock = undefined;
    await until(standby, '0');
    const queue = stack.web.taskResults.queue;
    const counts = await eventually(async () => {
      const c = await queue.getJobCounts('completed', 'failed');
      return c.completed + c.failed === 2 ? c : undefined;
    }, 45_000);
    expect(counts, JSON.stringify((await queue.getFailed()).map((job) => job.failedReason))).to.deep.equal({ completed: 2, failed: 0 });
    expect(await count('activity_result_events')).to.equal(2);
    expect((await ActivityResult.findOne({ where: { activityId: activity.id } }))?.externalStatus).to.equal('m1');
  });

  it('spreads the shards over the live processes, keeps a dedicated one on its own, and takes them all back', async () => {
    await start({ queueShards: 3 });
    const first = stack.workers!;
    await until(first, '0,1,2');
    const dedicated = startOther({ queueShards: 3, workerShards: [2] });
    await until(dedicated, '2');
    await until(first, '0,1');
    const third = startOther({ queueShards: 3 });
    await eventually(async () => (first.ownedShards().length === 1 && third.ownedShards().length === 1 ? true : undefined));
    expect([owned(first), owned(third)].sort()).to.deep.equal(['0', '1']);
    await others[1].close();
    await others[0].close();
    others.length = 0;
    await until(first, '0,1,2');
  });
});
