import { expect } from 'chai';
import { serviceEnv } from '../../harness/service';

describe('harness serviceEnv', () => {
  const settings = { databaseUrl: 'postgres://db', redisUrl: 'redis://r', port: 1, queuePrefix: 'p', syncWaitMs: 5, logLevel: 'warn' };
  let saved: string | undefined;

  beforeEach(() => {
    saved = process.env.WORKER_CONCURRENCY;
    process.env.WORKER_CONCURRENCY = '3';
  });

  afterEach(() => {
    if (saved === undefined) delete process.env.WORKER_CONCURRENCY;
    else process.env.WORKER_CONCURRENCY = saved;
  });

  it("leaves the worker concurrency to the service's default when given none, whatever this process has", () => {
    expect(serviceEnv(settings)).to.not.have.property('WORKER_CONCURRENCY');
  });

  it('sets the worker concurrency it is given', () => {
    expect(serviceEnv({ ...settings, workerConcurrency: 16 }).WORKER_CONCURRENCY).to.equal('16');
  });
});
