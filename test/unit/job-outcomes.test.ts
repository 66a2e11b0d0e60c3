import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { UnrecoverableError, type Job, type Worker } from 'bullmq';
import pino from 'pino';
import { Registry } from 'prom-client';
import { ConnectionError } from 'sequelize';
import { createJobMetrics } from '../../workers/job-metrics';
import { watchOutcomes } from '../../workers/job-outcomes';

function setup() {
  const lines: any[] = [];
  const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) });
  const registry = new Registry();
  const worker = Object.assign(new EventEmitter(), { name: 'activity-results' });
  watchOutcomes(worker as unknown as Worker, pino(sink), createJobMetrics(registry));
  return { lines, registry, worker };
}

function job(attemptsMade: number, extra: Partial<Job> = {}): Job {
  const now = Date.now();
  return {
    id: 'tr-1',
    data: { tenantId: 'tenant-1', requestId: 'req-1' },
    attemptsMade,
    opts: { attempts: 8 },
    processedOn: now - 120,
    ...extra,
  } as unknown as Job;
}

describe('job outcomes', () => {
  it('logs and counts a completed job with its outcome code, tenant, attempt and request id', async () => {
    const { lines, registry, worker } = setup();
    worker.emit('completed', job(1, { finishedOn: Date.now() }), { outcome: 'created' });
    expect(lines[0]).to.include({
      msg: 'job completed',
      queue: 'activity-results',
      jobId: 'tr-1',
      tenantId: 'tenant-1',
      requestId: 'req-1',
      attempt: 1,
      outcome: 'completed',
      code: 'CREATED',
    });
    expect(lines[0].ms).to.be.within(100, 1000);
    expect(await registry.metrics()).to.include('jobs_total{queue="activity-results",outcome="completed",code="CREATED"} 1');
  });

  it('tells a retried attempt from a final failure, with the code of each', async () => {
    const { lines, registry, worker } = setup();
    const refused = Object.assign(new ConnectionError(new Error('connect ECONNREFUSED')), {});
    worker.emit('failed', job(3), refused);
    worker.emit('failed', job(8, { finishedOn: Date.now() }), refused);
    worker.emit('failed', job(1, { finishedOn: Date.now() }), new UnrecoverableError('STALE_EVENT: event occurred at …'));
    expect(lines.map((l) => [l.msg, l.outcome, l.code, l.attempt])).to.deep.equal([
      ['job attempt failed, will retry', 'retried', 'DATABASE_CONNECTION', 3],
      ['job failed after its last attempt', 'failed', 'DATABASE_CONNECTION', 8],
      ['job failed', 'failed', 'STALE_EVENT', 1],
    ]);
    const text = await registry.metrics();
    expect(text).to.include('jobs_total{queue="activity-results",outcome="retried",code="DATABASE_CONNECTION"} 1');
    expect(text).to.include('jobs_total{queue="activity-results",outcome="failed",code="DATABASE_CONNECTION"} 1');
    expect(text).to.include('jobs_total{queue="activity-results",outcome="failed",code="STALE_EVENT"} 1');
    expect(text).to.include('job_duration_seconds_count{queue="activity-results",outcome="failed"} 2');
  });
});
