import { expect } from 'chai';
import { loadOptions } from '../../bench/options';

describe('bench options: phases', () => {
  const phases = (argv: string[], env: NodeJS.ProcessEnv = {}) => [...loadOptions(argv, env).phases].sort();

  it('runs every phase by default', () => {
    expect(phases([])).to.deep.equal(['async', 'bulk', 'drain', 'limits', 'sync', 'worker-drain']);
  });

  it('takes drain and async as one phase', () => {
    expect(phases(['--phases', 'drain'])).to.deep.equal(['async', 'drain']);
    expect(phases(['--phases', 'async,limits'])).to.deep.equal(['async', 'drain', 'limits']);
  });

  it('reads BENCH_PHASES when the flag is not given, and refuses a phase it does not know', () => {
    expect(phases([], { BENCH_PHASES: 'worker-drain, bulk' })).to.deep.equal(['bulk', 'worker-drain']);
    expect(() => loadOptions(['--phases', 'sync,warp'], {})).to.throw(/--phases \/ BENCH_PHASES takes/);
  });

  it('gives the reference worker concurrency 16 and the service none of its own', () => {
    const options = loadOptions([], {});
    expect(options.referenceWorkerConcurrency).to.equal(16);
    expect(options).to.not.have.property('workerConcurrency');
  });
});

describe('bench options: a Redis Cluster', () => {
  it('compares the service on a cluster with the service on one Redis, both as 2 webs and 2 workers', () => {
    const options = loadOptions(['--redis-cluster', '--shards', '4'], {});
    expect(options.targets).to.deep.equal(['service', 'cluster']);
    expect(options).to.include({ shards: 4, processes: 2 });
  });

  it('defaults to one web and one worker a target and 3 shards; --redis-cluster adds the cluster target', () => {
    expect(loadOptions([], {})).to.include({ processes: 1, shards: 3 });
    expect(loadOptions([], {}).targets).to.deep.equal(['reference', 'service']);
    expect(loadOptions(['--targets', 'reference,service', '--redis-cluster'], {}).targets).to.deep.equal([
      'reference',
      'service',
      'cluster',
    ]);
    expect(loadOptions([], { BENCH_REDIS_CLUSTER: '1' }).targets).to.deep.equal(['service', 'cluster']);
  });
});
