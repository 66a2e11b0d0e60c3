import { expect } from 'chai';
import { loadConfig } from '../../config';
import { configRefusal as refusal } from '../support/config';
import { hashTagOf, keySlot, shardKeyOf, shardOf, shardPrefixes } from '../../domain/queue-shards';
import { concurrencyShares, shardQueuePrefixes } from '../../workers/task-result-shards';

describe('configuration: Redis Cluster', () => {
  it('uses REDIS_URL alone, with the prefix as it was, without REDIS_CLUSTER_NODES', () => {
    const config = loadConfig({});
    expect(config.redis).to.deep.equal({ url: 'redis://127.0.0.1:6379' });
    expect(config.queuePrefix).to.equal('bull');
  });

  it('reads the cluster nodes, and defaults the prefix to a hash tag on a cluster', () => {
    const config = loadConfig({ REDIS_CLUSTER_NODES: '127.0.0.1:7000, redis-2.internal:7001' });
    expect(config.redis.clusterNodes).to.deep.equal([
      { host: '127.0.0.1', port: 7000 },
      { host: 'redis-2.internal', port: 7001 },
    ]);
    expect(config.queuePrefix).to.equal('{bull}');
  });

  it('refuses a node list that is not host:port,… and a prefix without a hash tag on a cluster', () => {
    expect(refusal({ REDIS_CLUSTER_NODES: '127.0.0.1' })).to.match(/^invalid configuration: REDIS_CLUSTER_NODES: must be host:port/);
    expect(refusal({ REDIS_CLUSTER_NODES: '127.0.0.1:7000', QUEUE_PREFIX: 'bull' })).to.match(/QUEUE_PREFIX: must contain a \{hash tag\}/);
    expect(refusal({ REDIS_CLUSTER_NODES: '127.0.0.1:7000', QUEUE_PREFIX: 'bull{}' })).to.match(/QUEUE_PREFIX/);
    expect(refusal({ REDIS_CLUSTER_NODES: '127.0.0.1:7000', QUEUE_PREFIX: 'app{bull}' })).to.equal('accepted');
  });
});

describe('cluster slots', () => {
  it('hashes keys as Redis Cluster does (CLUSTER KEYSLOT)', () => {
    expect(keySlot('foo')).to.equal(12182);
    expect(keySlot('123456789')).to.equal(12739);
    expect(keySlot('{user1000}.following')).to.equal(keySlot('user1000'));
    expect(hashTagOf('foo{}{bar}')).to.equal(undefined);
    expect(hashTagOf('{bull}:activity-results:wait')).to.equal('bull');
  });
});

describe('queue shards', () => {
  it('keeps the prefix as it was with one shard, and gives each of more a hash tag in its own share of the slots', () => {
    expect(shardPrefixes('bull', 1)).to.deep.equal(['bull']);
    expect(shardPrefixes('{bull}', 1)).to.deep.equal(['{bull}']);
    for (const base of ['bull', '{bull}', 'app{x}']) {
      for (const count of [2, 3, 4, 8]) {
        const prefixes = shardPrefixes(base, count);
        expect(new Set(prefixes).size).to.equal(count);
        prefixes.forEach((prefix, shard) => {
          expect(hashTagOf(prefix)).to.not.equal(undefined);
          expect(Math.floor((keySlot(`${prefix}:activity-results:wait`) * count) / 16384)).to.equal(shard);
        });
      }
    }
    expect(shardPrefixes('app{x}', 3).every((prefix) => prefix.startsWith('app{x-s'))).to.equal(true);
  });

  it('sends one key to one shard whatever else the event says, and spreads the keys', () => {
    const key = { tenantId: 't1', activityId: null, providerActivityId: 'ext-1' };
    expect(shardOf(key, 1)).to.equal(0);
    expect(shardOf(key, 3)).to.equal(shardOf({ ...key }, 3));
    expect(shardKeyOf('t1', { activity_id: 'a1', provider_activity_id: 'ext-1' })).to.deep.equal({
      tenantId: 't1',
      activityId: 'a1',
      providerActivityId: 'ext-1',
    });
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) counts[shardOf({ ...key, providerActivityId: `ext-${i}` }, 3)] += 1;
    expect(Math.min(...counts)).to.be.greaterThan(900);
  });

  it('reads QUEUE_SHARDS and WORKER_SHARDS, and refuses a worker shard that does not exist', () => {
    expect(loadConfig({}).queueShards).to.equal(1);
    expect(loadConfig({}).workerShards).to.equal(undefined);
    expect(loadConfig({ QUEUE_SHARDS: '3', WORKER_SHARDS: '2,0' }).workerShards).to.deep.equal([0, 2]);
    expect(refusal({ QUEUE_SHARDS: '3', WORKER_SHARDS: '3' })).to.match(/WORKER_SHARDS: shards are numbered from 0 to 2/);
    expect(refusal({ QUEUE_SHARDS: '0' })).to.match(/QUEUE_SHARDS/);
  });

  it('waits for one replica before a 202 on a cluster, for none on a single Redis unless told', () => {
    expect(loadConfig({}).redisWait).to.deep.equal({ replicas: 0, timeoutMs: 250 });
    expect(loadConfig({ REDIS_CLUSTER_NODES: '127.0.0.1:7000' }).redisWait).to.deep.equal({ replicas: 1, timeoutMs: 250 });
    expect(loadConfig({ REDIS_CLUSTER_NODES: '127.0.0.1:7000', REDIS_WAIT_REPLICAS: '0' }).redisWait.replicas).to.equal(0);
    expect(loadConfig({ REDIS_WAIT_REPLICAS: '2', REDIS_WAIT_MS: '100' }).redisWait).to.deep.equal({ replicas: 2, timeoutMs: 100 });
    expect(refusal({ REDIS_WAIT_MS: '1000' })).to.match(/REDIS_WAIT_MS/);
  });

  it("has shard 0's owner consume the queue as it was with one shard too", () => {
    const shards = shardPrefixes('{bull}', 3);
    expect(shardQueuePrefixes('{bull}', 1)).to.deep.equal([['{bull}']]);
    expect(shardQueuePrefixes('{bull}', 3)).to.deep.equal([[shards[0], '{bull}'], [shards[1]], [shards[2]]]);
  });

  it("shares a worker process's concurrency among the shards it holds, the queue from before the shards taking a quarter share", () => {
    expect(concurrencyShares(1, 128)).to.deep.equal({ main: 128, before: 32 });
    expect(concurrencyShares(3, 128)).to.deep.equal({ main: 43, before: 11 });
    expect(concurrencyShares(3, 1)).to.deep.equal({ main: 1, before: 1 });
  });
});
