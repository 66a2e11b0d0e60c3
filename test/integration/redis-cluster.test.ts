// The service on a real Redis Cluster (harness/redis-cluster.ts): one cluster of 3 masters and 3 replicas
// for the file, the web and the workers through ioredis' Cluster client with 3 task-result shards, the
// core flow over HTTP, checked in PostgreSQL and in the queues.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { expect } from 'chai';
import { Cluster } from 'ioredis';
import { openRedis } from '../../config/redis';
import { QUEUES, followUpJobId } from '../../domain/jobs';
import { keySlot, shardPrefixes } from '../../domain/queue-shards';
import { RedisCluster } from '../../harness/redis-cluster';
import { HttpError } from '../../server/http-errors';
import { ReplicaAcks } from '../../server/replica-acks';
import { Activity, ActivityResult, FollowUp } from '../../models';
import { count } from '../support/db';
import { minutesAfter, seedEvent, type TestTenant } from '../support/fixtures';
import { postBatch, postResult, request, type Reply } from '../support/http';
import { BOARD_PASSWORD, BOARD_USER, basicAuthHeader } from '../support/board';
import { startStack, startStackWithTenant, type Stack } from '../support/stack';
import { waitFor } from '../support/wait';

const SHARDS = 3;

describe('on a Redis Cluster with 3 queue shards', function () {
  this.timeout(60_000);
  let cluster: RedisCluster;
  let dir: string;
  let redis: Cluster;
  let stack: Stack | undefined;
  let tenant: TestTenant;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'redis-cluster-test-'));
    cluster = await RedisCluster.start({ dir: path.join(dir, 'cluster') });
    redis = openRedis({ url: '', clusterNodes: cluster.nodes }) as Cluster;
    await new Promise((resolve) => redis.once('ready', resolve));
  });

  after(async () => {
    redis?.disconnect();
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const start = async (env: Record<string, string> = {}) => {
    ({ stack, tenant } = await startStackWithTenant({
      prefix: `{test-${randomBytes(4).toString('hex')}}`,
      env: { REDIS_CLUSTER_NODES: cluster.nodeList, QUEUE_SHARDS: String(SHARDS), ...env },
    }));
    return stack!;
  };
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  /** The keys matching a pattern on every master. */
  const keys = async (pattern: string) => (await Promise.all(redis.nodes('master').map((node) => node.keys(pattern)))).flat();

  /** The shard whose queue holds a job, by looking in each. */
  async function shardHolding(prefixes: string[], jobId: string): Promise<number> {
    const found = await Promise.all(prefixes.map((prefix) => redis.exists(`${prefix}:${QUEUES.activityResults}:${jobId}`)));
    return found.indexOf(1);
  }

  it('puts each shard on a master of its own, and answers ready per shard', async () => {
    const { prefix, baseUrl } = await start();
    const prefixes = shardPrefixes(prefix, SHARDS);
    const slots = await Promise.all(prefixes.map((p) => redis.call('CLUSTER', 'KEYSLOT', `${p}:x`)));
    expect(slots).to.deep.equal(prefixes.map((p) => keySlot(`${p}:x`)));
    const ranges = (await redis.cluster('SLOTS')) as [number, number, unknown][];
    const masterOf = (slot: number) => ranges.findIndex(([low, high]) => slot >= low && slot <= high);
    expect(new Set(slots.map((slot) => masterOf(Number(slot)))).size).to.equal(SHARDS);

    const ready = await request(baseUrl, 'GET', '/readyz');
    expect(ready.status).to.equal(200);
    expect(ready.body.shards).to.deep.equal([0, 1, 2].map((shard) => ({ shard, redis: true })));
  });

  it("answers 503, not 202, while the master of an event's shard cannot copy it to its replica", async () => {
    const { prefix, baseUrl, web } = await start();
    const event = seedEvent({ provider_activity_id: 'frozen-replica' });
    const shard = web.taskResults.shardFor(tenant.tenantId, event);
    // Another event of the shard for the batch: the single one may be applied by then (its job was written).
    const batchKey = Array.from({ length: 100 }, (_, i) => `frozen-batch-${i}`).find(
      (key) => web.taskResults.shardFor(tenant.tenantId, { provider_activity_id: key }) === shard,
    );
    const prefixOfEvent = shardPrefixes(prefix, SHARDS)[shard];
    const ranges = (await redis.cluster('SLOTS')) as unknown as [number, number, [string, number]][];
    const slot = keySlot(`${prefixOfEvent}:x`);
    const [, , [host, port]] = ranges.find(([low, high]) => slot >= low && slot <= high)!;

    const resume = await cluster.freezeReplicaOf({ host, port });
    let refused: Reply;
    let refusedBatch: Reply;
    try {
      refused = await postResult(baseUrl, tenant, event, { Prefer: 'respond-async' });
      refusedBatch = await postBatch(baseUrl, tenant, [seedEvent({ provider_activity_id: batchKey })], { Prefer: 'respond-async' });
    } finally {
      resume();
    }
    expect(refused.status).to.equal(503);
    expect(refused.body.code).to.equal('SERVICE_UNAVAILABLE');
    expect(refused.headers.get('retry-after')).to.equal('1');
    expect(refusedBatch.status).to.equal(503);

    // Sent again once the replica copies: acknowledged, and applied once.
    const accepted = await waitFor('a 202 once the replica copies again', async () => {
      const reply = await postResult(baseUrl, tenant, event, { Prefer: 'respond-async' });
      return reply.status !== 503 && reply;
    });
    expect(accepted.status).to.be.oneOf([200, 202]);
    await waitFor('the event applied', async () => (await ActivityResult.count({ where: { providerActivityId: 'frozen-replica' } })) === 1);
    expect(await count('activity_result_events', "body::jsonb->>'provider_activity_id' = 'frozen-replica'")).to.equal(1);
  });

  it('answers 503, not 500, for a write whose master became a replica before its WAIT', async () => {
    // A client that has not yet learnt of the failover, as the web is for a moment after one.
    const client = new Cluster([...cluster.nodes], { slotsRefreshInterval: 600_000 });
    await new Promise((resolve) => client.once('ready', resolve));
    try {
      const key = `{test-${randomBytes(4).toString('hex')}}:demoted`;
      const acks = new ReplicaAcks(client, key, { replicas: 1, timeoutMs: 250 });
      const master = await cluster.masterOf(keySlot(key));
      const refused = await acks
        .confirm(async () => {
          await client.set(key, 'written');
          await cluster.failOver(master);
        })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(refused).to.be.instanceOf(HttpError);
      expect((refused as HttpError).status).to.equal(503);
    } finally {
      client.disconnect();
    }
  });

  it('applies single events sync and async on their shards, finds each job by its status URL, and replays exactly', async () => {
    const { prefix, baseUrl, web } = await start();
    const prefixes = shardPrefixes(prefix, SHARDS);
    const shardOfKey = (key: string) => web.taskResults.shardFor(tenant.tenantId, { provider_activity_id: key });
    // Two keys for each shard: one sent sync, one async.
    const keysOf = Array.from({ length: SHARDS }, (_, shard) =>
      Array.from({ length: 200 }, (_, i) => `key-${i}`)
        .filter((key) => shardOfKey(key) === shard)
        .slice(0, 2),
    );
    for (const [sync] of keysOf)
      expect((await postResult(baseUrl, tenant, seedEvent({ provider_activity_id: sync }))).status).to.equal(201);
    for (const [, async] of keysOf) {
      const reply = await postResult(baseUrl, tenant, seedEvent({ provider_activity_id: async }), { Prefer: 'respond-async' });
      expect(reply.status).to.equal(202);
      expect(await shardHolding(prefixes, reply.body.jobId)).to.equal(shardOfKey(async));
      const status = await waitFor('the job to complete', async () => {
        const answer = await request(baseUrl, 'GET', reply.body.statusUrl, { tenant });
        return answer.body.state === 'COMPLETED' && answer.body;
      });
      expect(status.jobId).to.equal(reply.body.jobId);
    }
    const [[firstKey]] = keysOf;
    const replay = await postResult(baseUrl, tenant, seedEvent({ provider_activity_id: firstKey }));
    expect(replay.status).to.equal(200);
    expect(replay.headers.get('idempotent-replayed')).to.equal('true');

    // A key's later event meets the first on its shard, and is applied over it.
    const later = seedEvent({
      provider_activity_id: firstKey,
      occurred_at: minutesAfter('2025-01-16T14:30:00.000Z', 5),
      hard_override: true,
      status: 'CANCELED',
    });
    const laterReply = await postResult(baseUrl, tenant, later, { Prefer: 'respond-async' });
    expect(await shardHolding(prefixes, laterReply.body.jobId)).to.equal(0);
    await waitFor(
      'the later event',
      async () => (await ActivityResult.findOne({ where: { providerActivityId: firstKey } }))?.resultStatus === 'CANCELED',
    );
    expect(await ActivityResult.count()).to.equal(2 * SHARDS);
    expect(await count('activity_result_events')).to.equal(2 * SHARDS + 1);

    const queues = prefixes.map((p) => new Queue(QUEUES.activityResults, { connection: redis, prefix: p }));
    const completed = await Promise.all(queues.map((queue) => queue.getJobCounts('completed', 'failed')));
    await Promise.all(queues.map((queue) => queue.close()));
    expect(completed).to.deep.equal([
      { completed: 3, failed: 0 },
      { completed: 2, failed: 0 },
      { completed: 2, failed: 0 },
    ]);
  });

  it('answers a batch across the shards, waits on each, and binds its Idempotency-Key once', async () => {
    const { baseUrl } = await start();
    const events = Array.from({ length: 12 }, (_, i) => seedEvent({ provider_activity_id: `batch-${i}` }));
    const reply = await postBatch(baseUrl, tenant, events, { 'Idempotency-Key': 'batch-1' });
    expect(reply.status).to.equal(200);
    expect(reply.body.items.map((i: { status: number }) => i.status)).to.deep.equal(events.map(() => 201));
    const again = await postBatch(baseUrl, tenant, events, { 'Idempotency-Key': 'batch-1' });
    expect(again.body.items.map((i: { status: number }) => i.status)).to.deep.equal(events.map(() => 200));
    const reused = await postBatch(baseUrl, tenant, events.slice(1), { 'Idempotency-Key': 'batch-1' });
    expect(reused.status).to.equal(422);
    expect(await ActivityResult.count()).to.equal(12);
  });

  it('binds a single Idempotency-Key to one body even when another body would go to another shard', async () => {
    const { baseUrl } = await start();
    const key = { 'Idempotency-Key': 'k-1' };
    expect((await postResult(baseUrl, tenant, seedEvent(), key)).status).to.equal(201);
    for (let i = 0; i < 6; i++) {
      const reused = await postResult(baseUrl, tenant, seedEvent({ provider_activity_id: `other-${i}` }), key);
      expect(reused.status).to.equal(422);
      expect(reused.body.code).to.equal('IDEMPOTENCY_KEY_REUSED');
    }
    expect((await postResult(baseUrl, tenant, seedEvent(), key)).status).to.equal(200);
    expect(await ActivityResult.count()).to.equal(1);
  });

  it('schedules a follow-up from future_scheduled_at on its own queue and creates it when due', async () => {
    const { prefix, baseUrl } = await start();
    const due = new Date(Date.now() + 1_500).toISOString();
    const occurredAt = new Date(Date.now() - 60_000).toISOString();
    const reply = await postResult(
      baseUrl,
      tenant,
      seedEvent({ status: 'PENDING', occurred_at: occurredAt, task_result: { result: 'call_back', future_scheduled_at: due } }),
    );
    expect(reply.status).to.equal(201);
    const [row] = await FollowUp.findAll({ where: { resultId: reply.body.id } });
    expect(await redis.exists(`${prefix}:${QUEUES.followUps}:${followUpJobId(row.id)}`)).to.equal(1);
    const activity = await waitFor('the follow-up activity', () => Activity.findOne({ where: { sourceResultId: reply.body.id } }), 10_000);
    expect(activity.status).to.equal('READY');
    expect(activity.scheduledAt?.toISOString()).to.equal(due);
  });

  it('still works and finds the jobs queued with one shard once there are three', async () => {
    const prefix = `{test-${randomBytes(4).toString('hex')}}`;
    const env = { REDIS_CLUSTER_NODES: cluster.nodeList };
    ({ stack, tenant } = await startStackWithTenant({ prefix, env: { ...env, QUEUE_SHARDS: '1' }, workers: false }));
    const before = await postResult(stack.baseUrl, tenant, seedEvent(), { Prefer: 'respond-async' });
    expect(before.status).to.equal(202);
    expect(await redis.exists(`${prefix}:${QUEUES.activityResults}:${before.body.jobId}`)).to.equal(1);

    const sharded = await startStack({ prefix, env: { ...env, QUEUE_SHARDS: String(SHARDS) } });
    try {
      const status = await waitFor('the job queued with one shard to complete', async () => {
        const reply = await request(sharded.baseUrl, 'GET', before.body.statusUrl, { tenant });
        return reply.body.state === 'COMPLETED' && reply.body;
      });
      expect(status.result.resultStatus).to.equal('COMPLETED');
      expect(await ActivityResult.count()).to.equal(1);
    } finally {
      await sharded.close();
    }
  });

  it('shows each shard in Bull Board and in queue_depth', async () => {
    const { baseUrl } = await start({ BULL_BOARD_USER: BOARD_USER, BULL_BOARD_PASSWORD: BOARD_PASSWORD });
    const board = await fetch(`${baseUrl}/admin/queues/api/queues?page=1&jobsPerPage=10`, {
      headers: { authorization: basicAuthHeader() },
    });
    expect(board.status).to.equal(200);
    const { queues } = (await board.json()) as { queues: { name: string; displayName: string }[] };
    expect(queues.map((q) => q.name).sort()).to.deep.equal([
      'follow-ups',
      'shard-0-activity-results',
      'shard-1-activity-results',
      'shard-2-activity-results',
      'shard-unsharded-activity-results',
    ]);
    expect(queues.find((q) => q.name === 'shard-1-activity-results')?.displayName).to.equal('Activity results · shard 1');

    const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
    for (const shard of ['0', '1', '2', 'unsharded'])
      expect(metrics).to.include(`queue_depth{queue="activity-results",state="waiting",shard="${shard}"} 0`);
    expect(metrics).to.include('queue_depth{queue="follow-ups",state="waiting"}');
  });

  it('counts the rate limits in the cluster', async () => {
    const { prefix, baseUrl } = await start({ RATE_LIMIT_RPS: '1', RATE_LIMIT_BURST: '1' });
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await postResult(baseUrl, tenant, seedEvent({ provider_activity_id: `r-${i}` }), { Prefer: 'respond-async' })).status);
    expect(statuses).to.include(429);
    expect(await keys(`${prefix}:rate-limit:*`)).to.not.have.length(0);
  });
});
