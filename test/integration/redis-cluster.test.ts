// The service on a real Redis Cluster (harness/redis-cluster.ts): one cluster for the file, web and workers
// through ioredis' Cluster client, the core flow over HTTP.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { Cluster } from 'ioredis';
import { openRedis } from '../../config/redis';
import { RedisCluster } from '../../harness/redis-cluster';
import { ActivityResult } from '../../models';
import { count } from '../support/db';
import { minutesAfter, seedEvent, type TestTenant } from '../support/fixtures';
import { postBatch, postResult, request } from '../support/http';
import { startStackWithTenant, type Stack } from '../support/stack';

describe('on a Redis Cluster', function () {
  this.timeout(60_000);
  let cluster: RedisCluster;
  let dir: string;
  let stack: Stack;
  let tenant: TestTenant;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'redis-cluster-test-'));
    cluster = await RedisCluster.start({ dir: path.join(dir, 'cluster') });
  });

  after(async () => {
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** The keys matching a pattern on every master. */
  async function keys(pattern: string): Promise<string[]> {
    const redis = openRedis({ url: '', clusterNodes: cluster.nodes }) as Cluster;
    try {
      await new Promise((resolve) => redis.once('ready', resolve));
      return (await Promise.all(redis.nodes('master').map((node) => node.keys(pattern)))).flat();
    } finally {
      redis.disconnect();
    }
  }

  const start = async (env: Record<string, string> = {}) => {
    ({ stack, tenant } = await startStackWithTenant({
      prefix: `{test-${randomBytes(4).toString('hex')}}`,
      env: { REDIS_CLUSTER_NODES: cluster.nodeList, ...env },
    }));
  };
  afterEach(() => stack?.close());

  it('answers ready, applies an event and replays it', async () => {
    await start();
    expect((await request(stack.baseUrl, 'GET', '/readyz')).status).to.equal(200);
    const created = await postResult(stack.baseUrl, tenant, seedEvent());
    expect(created.status).to.equal(201);
    const replay = await postResult(stack.baseUrl, tenant, seedEvent());
    expect(replay.status).to.equal(200);
    expect(replay.headers.get('idempotent-replayed')).to.equal('true');
    const batch = await postBatch(stack.baseUrl, tenant, [
      seedEvent({ provider_activity_id: 'b-1' }),
      seedEvent({ provider_activity_id: 'b-2', occurred_at: minutesAfter('2025-01-16T14:30:00.000Z', 1) }),
    ]);
    expect(batch.status).to.equal(200);
    expect(batch.body.items.map((i: { status: number }) => i.status)).to.deep.equal([201, 201]);
    expect(await ActivityResult.count()).to.equal(3);
    expect(await count('activity_result_events')).to.equal(3);
  });

  it('binds an Idempotency-Key to one body, for a single event and for a batch', async () => {
    await start();
    const key = { 'Idempotency-Key': 'k-1' };
    expect((await postResult(stack.baseUrl, tenant, seedEvent(), key)).status).to.equal(201);
    const reused = await postResult(stack.baseUrl, tenant, seedEvent({ provider_activity_id: 'other' }), key);
    expect(reused.status).to.equal(422);
    expect(reused.body.code).to.equal('IDEMPOTENCY_KEY_REUSED');

    const batchKey = { 'Idempotency-Key': 'k-2' };
    expect((await postBatch(stack.baseUrl, tenant, [seedEvent({ provider_activity_id: 'b-1' })], batchKey)).status).to.equal(200);
    const batchReused = await postBatch(stack.baseUrl, tenant, [seedEvent({ provider_activity_id: 'b-2' })], batchKey);
    expect(batchReused.status).to.equal(422);
  });

  it('counts the rate limits in the cluster', async () => {
    await start({ RATE_LIMIT_RPS: '1', RATE_LIMIT_BURST: '1' });
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push(
        (await postResult(stack.baseUrl, tenant, seedEvent({ provider_activity_id: `r-${i}` }), { Prefer: 'respond-async' })).status,
      );
    expect(statuses).to.include(429);
    expect(await keys(`${stack.prefix}:rate-limit:*`)).to.have.length.greaterThan(0);
  });
});
