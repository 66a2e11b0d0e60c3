import { expect } from 'chai';
import { Op } from 'sequelize';
import { FOLLOW_UP_RECONCILER, JOB_NAMES, followUpJobId, type FollowUpJobData } from '../../domain/jobs';
import { Activity, ActivityResult, Commerce, FollowUp } from '../../models';
import { openFollowUpQueue, type FollowUpQueueHandle } from '../../server/board-follow-up-queue';
import { followUpProcessor } from '../../workers/processors/follow-up';
import { count, sequelize } from '../support/db';
import { REDIS_URL } from '../support/env';
import { createTenant, seedEvent, type TestTenant } from '../support/fixtures';
import { postResult, request } from '../support/http';
import { deleteKeys, silentLogger, startStack, type Stack, type StackOptions } from '../support/stack';
import { waitFor } from '../support/wait';

const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

describe('follow-ups from future_scheduled_at', () => {
  let stack: Stack;
  let followUps: FollowUpQueueHandle;
  let tenant: TestTenant;

  async function start(options: StackOptions = {}): Promise<void> {
    stack = await startStack(options);
    followUps = openFollowUpQueue({ redis: REDIS_URL, prefix: stack.prefix, logger: silentLogger });
  }

  beforeEach(async () => {
    tenant = await createTenant();
  });
  afterEach(async () => {
    await followUps?.close();
    await stack?.close();
  });

  /** A result event for the standalone key `ext-123` (or what `more` says), occurred `occurredAgoMs` ago. */
  function event(futureScheduledAt: string | undefined, more: Record<string, unknown> = {}, occurredAgoMs = 60_000) {
    return seedEvent({
      status: 'PENDING',
      occurred_at: ago(occurredAgoMs),
      task_result: { result: 'call_back', ...(futureScheduledAt ? { future_scheduled_at: futureScheduledAt } : {}) },
      ...more,
    });
  }

  async function post(body: Record<string, unknown>) {
    const reply = await postResult(stack.baseUrl, tenant, body);
    expect(reply.status, JSON.stringify(reply.body)).to.be.oneOf([200, 201]);
    return reply.body;
  }

  async function createActivity(providerActivityId: string): Promise<string> {
    const reply = await request(stack.baseUrl, 'POST', '/api/activities/tasks', {
      tenant,
      body: { commerce_external_id: 'store-001', provider_activity_id: providerActivityId },
    });
    return reply.body.id;
  }

  const followUpActivities = () => Activity.findAll({ where: { tenantId: tenant.tenantId, sourceResultId: { [Op.ne]: null } } });
  const followUpOf = (resultId: string) => Activity.findOne({ where: { sourceResultId: resultId } });
  const rowsOf = (resultId: string) => FollowUp.findAll({ where: { resultId }, order: [['createdAt', 'ASC']] });
  /** Follow-up timers that may still fire (the reconciler's own job aside): with none, nothing more will. */
  const pendingTimers = async () =>
    (await followUps.queue.getJobs(['waiting', 'delayed', 'active', 'prioritized']))
      .filter((job) => job.name !== JOB_NAMES.reconcileFollowUps)
      .map((job) => job.id);
  const timerDone = (followUpId: string) =>
    waitFor('the follow-up job to complete', async () => (await followUps.queue.getJobState(followUpJobId(followUpId))) === 'completed');

  it('fires once at its due time and not before, as a READY task for the same commerce, linked to its parent', async () => {
    await start();
    const parentId = await createActivity('visit-1');
    const due = inMs(2_000);
    const result = await post(event(due, { provider_activity_id: 'visit-1', status: 'NOT_EXECUTED' }));
    expect(result.taskDetails.futureScheduledAt).to.equal(due);

    const [row] = await rowsOf(result.id);
    expect(row).to.deep.include({ tenantId: tenant.tenantId, state: 'SCHEDULED', activityId: null });
    expect(row.scheduledAt.toISOString()).to.equal(due);
    const job = (await followUps.queue.getJob(followUpJobId(row.id)))!;
    expect(await job.getState()).to.equal('delayed');
    expect(job.name).to.equal('follow-up');
    expect(job.timestamp + job.delay).to.be.within(Date.parse(due), Date.parse(due) + 250);

    const created = await waitFor('the follow-up activity', () => followUpOf(result.id));
    expect(created.createdAt.getTime(), 'nothing before the due time').to.be.at.least(Date.parse(due));
    const parent = (await Activity.findByPk(parentId))!;
    expect(parent.status).to.equal('FAILED');
    expect(created).to.deep.include({
      tenantId: tenant.tenantId,
      commerceId: parent.commerceId,
      type: 'TASK',
      status: 'READY',
      parentActivityId: parentId,
      sourceResultId: result.id,
    });
    expect(created.scheduledAt?.toISOString()).to.equal(due);
    await row.reload();
    expect(row).to.deep.include({ state: 'CREATED', activityId: created.id });

    await timerDone(row.id);
    expect(await pendingTimers()).to.deep.equal([]);
    expect(await followUpActivities()).to.have.length(1);
    const view = await request(stack.baseUrl, 'GET', `/api/activities/${created.id}`, { tenant });
    expect(view.status).to.equal(200);
    expect(view.body).to.include({
      id: created.id,
      status: 'READY',
      parentActivityId: parentId,
      sourceResultId: result.id,
      scheduledAt: due,
      commerceExternalId: 'store-001',
    });
  });

  it("fires at once for a time already past, and a standalone result's follow-up has no parent", async () => {
    await start();
    const result = await post(seedEvent({ task_result: { result: 'call_back', future_scheduled_at: '2025-01-20T10:00:00Z' } }));
    const created = await waitFor('the follow-up activity', () => followUpOf(result.id), 3_000);
    const commerce = await Commerce.findOne({ where: { tenantId: tenant.tenantId, externalId: 'store-001' } });
    expect(created).to.deep.include({ parentActivityId: null, sourceResultId: result.id, commerceId: commerce!.id, status: 'READY' });
    expect(created.scheduledAt?.toISOString()).to.equal('2025-01-20T10:00:00.000Z');
  });

  it('keeps the follow-up when a newer event carries the same time', async () => {
    await start();
    const due = inMs(60 * 60_000);
    const first = await post(event(due));
    await post(event(due, { status: 'COMPLETED' }, 30_000));
    const rows = await rowsOf(first.id);
    expect(rows.map((r) => r.state)).to.deep.equal(['SCHEDULED']);
    expect(await followUps.queue.getJob(followUpJobId(rows[0].id))).to.not.equal(undefined);
  });

  it('moves the follow-up when a newer event changes the time: the old timer goes, the new one fires once', async () => {
    await start();
    const oldDue = inMs(1_500);
    const newDue = inMs(3_000);
    const result = await post(event(oldDue));
    await post(event(newDue, {}, 30_000));

    const [old, current] = await rowsOf(result.id);
    expect(old.state).to.equal('SUPERSEDED');
    expect(current.state).to.equal('SCHEDULED');
    expect(current.scheduledAt.toISOString()).to.equal(newDue);
    expect(await followUps.queue.getJob(followUpJobId(old.id)), 'the old timer is removed').to.equal(undefined);
    expect(await followUps.queue.getJobState(followUpJobId(current.id))).to.equal('delayed');

    const created = await waitFor('the follow-up at the new time', () => followUpOf(result.id));
    expect(created.scheduledAt?.toISOString()).to.equal(newDue);
    expect(created.createdAt.getTime(), 'nothing at the old time').to.be.at.least(Date.parse(newDue));
    await timerDone(current.id);
    expect(await pendingTimers()).to.deep.equal([]);
    expect(await followUpActivities()).to.have.length(1);
  });

  it('cancels the follow-up when a newer event drops the time', async () => {
    await start();
    const due = inMs(1_500);
    const result = await post(event(due));
    await post(event(undefined, { status: 'COMPLETED' }, 30_000));
    const rows = await rowsOf(result.id);
    expect(rows.map((r) => r.state)).to.deep.equal(['SUPERSEDED']);
    expect(await followUps.queue.getJob(followUpJobId(rows[0].id))).to.equal(undefined);
    expect(await pendingTimers(), 'no timer left to fire').to.deep.equal([]);
    expect(await followUpActivities()).to.have.length(0);
  });

  it('cancels the follow-up when an event moves the activity to CANCELED', async () => {
    await start();
    const parentId = await createActivity('visit-2');
    const due = inMs(1_500);
    const result = await post(event(due, { provider_activity_id: 'visit-2' }));
    await post(event(due, { provider_activity_id: 'visit-2', status: 'CANCELED' }, 30_000));
    expect((await Activity.findByPk(parentId))?.status).to.equal('CANCELED');
    const rows = await rowsOf(result.id);
    expect(rows.map((r) => r.state)).to.deep.equal(['SUPERSEDED']);
    expect(await followUps.queue.getJob(followUpJobId(rows[0].id))).to.equal(undefined);
    expect(await pendingTimers(), 'no timer left to fire').to.deep.equal([]);
    expect(await followUpActivities()).to.have.length(0);
  });

  it('re-checks when the timer fires: an activity canceled meanwhile by an admin gets no follow-up', async () => {
    await start();
    const parentId = await createActivity('visit-3');
    const result = await post(event(inMs(1_000), { provider_activity_id: 'visit-3' }));
    await Activity.update({ status: 'CANCELED' }, { where: { id: parentId } });
    const [row] = await rowsOf(result.id);
    await waitFor('the timer to fire', async () => (await row.reload()).state !== 'SCHEDULED');
    expect(row.state).to.equal('SUPERSEDED');
    expect(await followUpActivities()).to.have.length(0);
  });

  it('creates one activity when the follow-up job runs twice, even at the same moment, and none for a superseded row', async () => {
    await start();
    const result = await post(event(inMs(60 * 60_000)));
    await stack.stopWorkers(); // the processor is called directly below
    const [row] = await rowsOf(result.id);
    const run = followUpProcessor({ sequelize: sequelize() });
    const job = (followUpId: string) => ({
      attemptsMade: 0,
      data: {
        tenantId: tenant.tenantId,
        followUpId,
        commerceExternalId: 'store-001',
        scheduledAt: row.scheduledAt.toISOString(),
      } satisfies FollowUpJobData,
    });

    const outcomes = await Promise.all([run(job(row.id)), run(job(row.id))]);
    const again = await run(job(row.id));
    expect(outcomes.map((o) => o.outcome).sort()).to.deep.equal(['created', 'skipped']);
    expect(again).to.deep.include({ outcome: 'skipped', state: 'CREATED' });
    expect(await followUpActivities()).to.have.length(1);

    const superseded = await FollowUp.create({
      tenantId: tenant.tenantId,
      resultId: result.id,
      scheduledAt: new Date(),
      state: 'SUPERSEDED',
    });
    expect(await run(job(superseded.id))).to.deep.include({ outcome: 'skipped', state: 'SUPERSEDED' });
    expect(await followUpActivities()).to.have.length(1);
  });

  it("restores timers lost with the queue's Redis keys from PostgreSQL, and the follow-up still fires", async () => {
    await start({ followUpReconcileEveryMs: 300 });
    const due = inMs(2_500);
    const result = await post(event(due));
    const [row] = await rowsOf(result.id);
    const jobId = followUpJobId(row.id);
    expect(await followUps.queue.getJobState(jobId)).to.equal('delayed');
    expect(await followUps.queue.getJobScheduler(FOLLOW_UP_RECONCILER.schedulerId)).to.not.equal(undefined);

    await deleteKeys(`${stack.prefix}:follow-ups:*`);
    expect(await followUps.queue.getJobState(jobId)).to.equal('unknown');
    expect(await followUps.queue.getJobScheduler(FOLLOW_UP_RECONCILER.schedulerId)).to.equal(undefined);

    await waitFor('the reconciler to restore the timer', async () => (await followUps.queue.getJobState(jobId)) === 'delayed', 2_000);
    expect(Date.now(), 'restored before it was due').to.be.below(Date.parse(due));
    const created = await waitFor('the follow-up activity', () => followUpOf(result.id));
    expect(created.createdAt.getTime()).to.be.at.least(Date.parse(due));
    expect((await row.reload()).state).to.equal('CREATED');
    expect(await count('activities', 'source_result_id IS NOT NULL')).to.equal(1);
  });

  it('runs a job queued under the old board text as its name, and fails one of no kind at once', async () => {
    await start();
    const result = await post(event(inMs(60 * 60_000)));
    const [row] = await rowsOf(result.id);
    const data: FollowUpJobData = {
      tenantId: tenant.tenantId,
      followUpId: row.id,
      commerceExternalId: 'store-001',
      scheduledAt: row.scheduledAt.toISOString(),
    };
    await followUps.queue.remove(followUpJobId(row.id));
    const oldName = `follow-up · tenant ${tenant.tenantId.slice(0, 8)} · commerce store-001 · due ${data.scheduledAt}`;
    await followUps.queue.add(oldName, data, { jobId: followUpJobId(row.id) });
    expect((await waitFor('the follow-up activity', () => followUpOf(result.id))).sourceResultId).to.equal(result.id);

    const junk = await followUps.queue.add('send-email', {}, { attempts: 3 });
    await waitFor('the unknown job to fail', async () => (await followUps.queue.getJobState(junk.id!)) === 'failed');
    const failed = (await followUps.queue.getJob(junk.id!))!;
    expect(failed.failedReason).to.match(/^JOB_DATA_INVALID: .*"send-email"/);
    expect(failed.attemptsMade, 'not retried').to.equal(1);
  });

  it("keeps the result's future_scheduled_at as sent on the result body", async () => {
    await start();
    const due = inMs(60 * 60_000);
    const result = await post(event(due));
    const fetched = await request(stack.baseUrl, 'GET', `/api/activity-results/${result.id}`, { tenant });
    expect(fetched.body.taskDetails.futureScheduledAt).to.equal(due);
    expect((await ActivityResult.findByPk(result.id))?.futureScheduledAt?.toISOString()).to.equal(due);
  });
});
