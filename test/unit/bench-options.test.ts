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
