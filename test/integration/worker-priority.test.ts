import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { REDIS_URL, TEST_DATABASE_URL } from '../support/env';
import { deleteKeys, uniquePrefix } from '../support/stack';
import { startWorkerProcess, type WorkerProcess } from '../support/processes';

describe('worker process priority', function () {
  this.timeout(30_000);

  let prefix: string;
  let worker: WorkerProcess | undefined;

  beforeEach(() => {
    prefix = uniquePrefix();
  });
  afterEach(async () => {
    await worker?.process.kill();
    worker = undefined;
    await deleteKeys(`${prefix}:*`);
  });

  const started = (w: WorkerProcess) => w.logs.find((line) => line.msg === 'worker started');

  it('runs below the web by default (nice 5), so a burst of requests is answered first', async () => {
    worker = await startWorkerProcess(prefix);
    const expected = Math.max(5, os.getPriority());
    expect(os.getPriority(worker.process.pid)).to.equal(expected);
    expect(started(worker)).to.include({ nice: expected });
  });

  it('keeps the priority it was started with under WORKER_NICE=0', async () => {
    worker = await startWorkerProcess(prefix, { WORKER_NICE: '0' });
    expect(os.getPriority(worker.process.pid)).to.equal(os.getPriority());
  });

  it('refuses a niceness outside 0-19 at start, naming the variable', () => {
    const run = spawnSync(process.execPath, [path.join(__dirname, '../../workers/index.js')], {
      env: { PATH: process.env.PATH, DATABASE_URL: TEST_DATABASE_URL, REDIS_URL, QUEUE_PREFIX: prefix, WORKER_NICE: '20' },
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(run.status).to.equal(78);
    expect(run.stderr).to.match(/WORKER_NICE/);
  });
});
