import { expect } from 'chai';
import type { Transaction } from 'sequelize';
import { eventFingerprint } from '../../domain/task-result-event';
import { taskResultJobId } from '../../domain/jobs';
import { parseTaskResult } from '../../domain/schemas/task-result';
import { Activity, ActivityResult, Commerce } from '../../models';
import { TaskResultQueue } from '../../server/task-result-queue';
import { sequelize } from '../support/db';
import { REDIS_URL } from '../support/env';
import { eventually } from '../support/wait';
import { createTenant, seedEvent, type TestTenant } from '../support/fixtures';
import { deleteKeys, silentLogger, uniquePrefix } from '../support/stack';
import { startWorkerProcess, type WorkerProcess } from '../support/processes';

describe('worker process shutdown', function () {
  this.timeout(40_000);

  let prefix: string;
  let queue: TaskResultQueue;
  let tenant: TestTenant;
  let worker: WorkerProcess | undefined;
  let lock: Transaction | undefined;

  beforeEach(async () => {
    prefix = uniquePrefix();
    queue = new TaskResultQueue({ redis: REDIS_URL, prefix, logger: silentLogger });
    tenant = await createTenant();
  });
  afterEach(async () => {
    await worker?.process.kill();
    await lock?.rollback().catch(() => {});
    lock = undefined;
    await queue.close();
    await deleteKeys(`${prefix}:*`);
  });

  /** Queues an event for an activity whose row this test holds locked, so the job blocks mid-transaction. */
  async function queueBlockedJob(): Promise<{ jobId: string; activityId: string }> {
    const commerce = await Commerce.create({ tenantId: tenant.tenantId, externalId: 'store-001', isPlaceholder: false });
    const activity = await Activity.create({ tenantId: tenant.tenantId, commerceId: commerce.id, providerActivityId: 'visit-slow' });
    lock = await sequelize().transaction();
    await Activity.findByPk(activity.id, { transaction: lock, lock: lock.LOCK.UPDATE });
    const body = seedEvent({ provider_activity_id: 'visit-slow' });
    const event = parseTaskResult(body, { now: new Date(), maxClockSkewMs: 300_000 });
    const fingerprint = eventFingerprint(event);
    const jobId = taskResultJobId(tenant.tenantId, fingerprint);
    const data = {
      tenantId: tenant.tenantId,
      fingerprint,
      body: JSON.stringify(body),
      receivedAt: new Date().toISOString(),
      requestId: 'req-shutdown-1',
    };
    await queue.add(data, jobId, { keyed: false });
    return { jobId, activityId: activity.id };
  }

  async function untilBlocked(jobId: string): Promise<void> {
    await eventually(async () => ((await queue.getJob(jobId))?.processedOn ? true : undefined));
    // The worker's transaction waits on this test's row lock.
    await eventually(async () => {
      const [rows] = await sequelize().query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      return (rows as Array<{ n: number }>)[0].n > 0 ? true : undefined;
    });
  }

  it('on SIGTERM lets the active job finish, then exits 0, and the job is not retried', async () => {
    const { jobId, activityId } = await queueBlockedJob();
    worker = await startWorkerProcess(prefix);
    await untilBlocked(jobId);

    const scrape = await fetch(`http://127.0.0.1:${worker.metricsPort}/metrics`);
    expect(scrape.status).to.equal(200);
    expect(await scrape.text()).to.include('# TYPE jobs_total counter');

    worker.process.signal('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(worker.process.exitCode, 'still finishing its job').to.equal(null);
    await lock!.commit();
    lock = undefined;

    expect(await worker.process.exited()).to.deep.equal({ code: 0, signal: null });
    const job = await queue.getJob(jobId);
    expect(await job!.getState()).to.equal('completed');
    expect(job!.attemptsMade).to.equal(1);
    expect(job!.returnvalue.outcome).to.equal('created');
    expect(await ActivityResult.count({ where: { activityId } })).to.equal(1);
    expect((await Activity.findByPk(activityId))?.status).to.equal('COMPLETED');

    const messages = worker.logs.map((l) => l.msg);
    expect(messages).to.include.members(['shutting down', 'shut down cleanly']);
    // The follow-up reconciler completes a job of its own at start: look for this job's line.
    const completed = worker.logs.findIndex((l) => l.msg === 'job completed' && l.jobId === jobId);
    expect(completed).to.be.greaterThan(messages.indexOf('shutting down'));
    const outcome = worker.logs[completed];
    expect(outcome).to.include({
      jobId,
      tenantId: tenant.tenantId,
      requestId: 'req-shutdown-1',
      attempt: 1,
      code: 'CREATED',
      queue: 'activity-results',
    });
  });

  it('exits at once on a second signal, leaving the job for another worker', async () => {
    const { jobId } = await queueBlockedJob();
    worker = await startWorkerProcess(prefix);
    await untilBlocked(jobId);

    worker.process.signal('SIGTERM');
    await eventually(async () => (worker!.logs.some((l) => l.msg === 'shutting down') ? true : undefined));
    const started = Date.now();
    worker.process.signal('SIGINT');
    expect(await worker.process.exited()).to.deep.equal({ code: 1, signal: null });
    expect(Date.now() - started).to.be.below(2_000);
    expect(await (await queue.getJob(jobId))!.getState()).to.equal('active');
  });
});
