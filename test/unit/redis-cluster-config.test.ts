import { expect } from 'chai';
import { loadConfig } from '../../config';
import { hashTagOf, keySlot } from '../../domain/queue-shards';

const refusal = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (error) {
    return (error as Error).message;
  }
  return 'accepted';
};

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
