// Several worker processes on one task-result queue: one of them at a time consumes a shard, so a key's
// events sent oldest first are all applied, and a shard moves to another process when its owner stops,
// dies or has more than its share.
import { expect } from 'chai';
import { Tenant } from '../../models';
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

  it('takes over the shard of a worker process killed outright once its lease lapses', async () => {
    await start({ workers: false });
    child = await startWorkerProcess(stack.prefix, { SHARD_LEASE_MS: String(LEASE_MS) });
    await child.process.waitForLine(/consuming task-result shard/, 10_000);
    const standby = startOther();
    expect((await postResult(stack.baseUrl, tenant, seedEvent({ occurred_at: T0 }))).status).to.equal(201);
    expect(owned(standby)).to.equal('');
    await child.process.kill();
    await until(standby, '0');
    expect((await postResult(stack.baseUrl, tenant, seedEvent({ occurred_at: minutesAfter(T0, 1) }))).status).to.equal(200);
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
