import { expect } from 'chai';
import { Activity, ActivityResult } from '../../models';
import { count, sequelize } from '../support/db';
import { createTenant, minutesAfter, seedEvent, type TestTenant } from '../support/fixtures';
import { postResult, request, type Reply } from '../support/http';
import { eventually } from '../support/wait';
import { startStack, type Stack } from '../support/stack';

const T0 = '2025-01-16T14:30:00.000Z';

describe('idempotency, async mode and concurrency', () => {
  let stack: Stack;
  let tenant: TestTenant;

  afterEach(() => stack?.close());

  describe('with workers', () => {
    beforeEach(async () => {
      stack = await startStack();
      tenant = await createTenant();
    });

    it('answers a retried request with the same Idempotency-Key with the same result, once', async () => {
      const headers = { 'idempotency-key': 'order-42' };
      const first = await postResult(stack.baseUrl, tenant, seedEvent(), headers);
      const again = await postResult(stack.baseUrl, tenant, seedEvent(), headers);
      expect(first.status).to.equal(201);
      expect(again.status).to.equal(200);
      expect(again.body.id).to.equal(first.body.id);
      expect(await count('activity_result_events')).to.equal(1);
    });

    it('answers 422 IDEMPOTENCY_KEY_REUSED for a key reused with another body, and changes nothing', async () => {
      const headers = { 'idempotency-key': 'order-43' };
      await postResult(stack.baseUrl, tenant, seedEvent(), headers);
      const reused = await postResult(stack.baseUrl, tenant, seedEvent({ occurred_at: minutesAfter(T0, 1) }), headers);
      expect(reused.status).to.equal(422);
      expect(reused.body.code).to.equal('IDEMPOTENCY_KEY_REUSED');
      expect(await count('activity_result_events')).to.equal(1);
    });

    it('answers 202 at once with Prefer: respond-async, and the job status endpoint follows the job', async () => {
      const reply = await postResult(stack.baseUrl, tenant, seedEvent(), { prefer: 'respond-async' });
      expect(reply.status).to.equal(202);
      expect(reply.headers.get('preference-applied')).to.equal('respond-async');
      expect(reply.headers.get('vary')).to.match(/Prefer/);
      expect(reply.body.status).to.equal('QUEUED');
      expect(reply.headers.get('location')).to.equal(reply.body.statusUrl);
      expect(reply.body.statusUrl).to.equal(`/api/activity-results/jobs/${reply.body.jobId}`);

      let status;
      for (let i = 0; i < 100; i++) {
        status = await request(stack.baseUrl, 'GET', reply.body.statusUrl, { tenant });
        if (status.body.state === 'COMPLETED') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(status!.status).to.equal(200);
      expect(status!.body).to.include({ jobId: reply.body.jobId, state: 'COMPLETED', attempts: 1, error: null });
      expect(status!.body.result.resultStatus).to.equal('COMPLETED');
      expect(status!.body.result.id).to.equal((await ActivityResult.findOne())?.id);
    });

    it("hides another tenant's job and answers 404 for unknown ones", async () => {
      const reply = await postResult(stack.baseUrl, tenant, seedEvent(), { prefer: 'respond-async' });
      const other = await createTenant();
      const foreign = await request(stack.baseUrl, 'GET', reply.body.statusUrl, { tenant: other });
      expect(foreign.status).to.equal(404);
      expect(foreign.body.code).to.equal('JOB_NOT_FOUND');
      const unknown = await request(stack.baseUrl, 'GET', '/api/activity-results/jobs/nope', { tenant });
      expect(unknown.status).to.equal(404);
    });

    it("leaves the newest event's state when events for one activity arrive concurrently and out of order", async () => {
      const created = await request(stack.baseUrl, 'POST', '/api/activities/tasks', {
        tenant,
        body: { commerce_external_id: 'store-001', provider_activity_id: 'race-1' },
      });
      const events = Array.from({ length: 20 }, (_, i) =>
        seedEvent({ provider_activity_id: 'race-1', status: 'PENDING', occurred_at: minutesAfter(T0, i), external_status: `step-${i}` }),
      ).reverse();
      const replies = await Promise.all(events.map((e) => postResult(stack.baseUrl, tenant, e)));
      for (const reply of replies) expect([200, 201, 409]).to.include(reply.status);
      expect(replies.filter((r) => r.status === 201)).to.have.length(1);
      const results = await ActivityResult.findAll();
      expect(results).to.have.length(1);
      expect(results[0].activityId).to.equal(created.body.id);
      expect(results[0].externalStatus).to.equal('step-19');
      expect(results[0].occurredAt.toISOString()).to.equal(minutesAfter(T0, 19));
      const applied = replies.filter((r) => r.status !== 409).length;
      expect(await count('activity_result_events')).to.equal(applied);
    });

    it('lets the newest event win when both wait on the same activity lock, in one batch or in two', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) {
        const created = await request(stack.baseUrl, 'POST', '/api/activities/tasks', {
          tenant,
          body: { commerce_external_id: 'store-001', provider_activity_id: `held-${i}` },
        });
        ids.push(created.body.id);
        const first = seedEvent({
          activity_id: created.body.id,
          provider_activity_id: undefined,
          status: 'PENDING',
          occurred_at: T0,
          external_status: 'minute-0',
        });
        expect((await postResult(stack.baseUrl, tenant, first)).status).to.equal(201);
      }
      // Hold every activity's row lock so both events of each queue up behind it, then let them go.
      const lock = await sequelize().transaction();
      await Activity.findAll({ where: { id: ids }, transaction: lock, lock: lock.LOCK.UPDATE });
      const replies: Reply[] = [];
      for (const id of ids) {
        for (const minute of [2, 1]) {
          const body = seedEvent({
            activity_id: id,
            provider_activity_id: undefined,
            status: 'PENDING',
            occurred_at: minutesAfter(T0, minute),
            external_status: `minute-${minute}`,
          });
          replies.push(await postResult(stack.baseUrl, tenant, body, { prefer: 'respond-async' }));
        }
      }
      // The worker has taken every event, and its batches wait on the locks.
      await eventually(async () => {
        const { waiting, prioritized, delayed } = await stack.web.taskResults.queue.getJobCounts();
        const [lockWaits] = await sequelize().query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        return waiting + prioritized + delayed === 0 && lockWaits.length > 0 ? true : undefined;
      });
      await lock.commit();
      await eventually(async () => {
        const states = await Promise.all(
          replies.map(async (r) => (await request(stack.baseUrl, 'GET', r.body.statusUrl, { tenant })).body.state),
        );
        return states.every((s) => s === 'COMPLETED' || s === 'FAILED') ? true : undefined;
      });
      for (const id of ids) {
        const result = await ActivityResult.findOne({ where: { activityId: id } });
        expect(result?.externalStatus, `activity ${id}`).to.equal('minute-2');
      }
    });

    it('turns a storm of the same request into one result and one history row, with a 2xx and one id for all', async () => {
      const replies = await Promise.all(Array.from({ length: 30 }, () => postResult(stack.baseUrl, tenant, seedEvent())));
      for (const reply of replies) expect(reply.status).to.be.oneOf([200, 201]);
      expect(new Set(replies.map((r) => r.body.id)).size).to.equal(1);
      expect(await count('activity_results')).to.equal(1);
      expect(await count('activity_result_events')).to.equal(1);
      expect(await count('commerces')).to.equal(1);
    });

    it('creates one placeholder commerce and one result per key when many standalone keys race', async () => {
      const replies = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          postResult(stack.baseUrl, tenant, seedEvent({ provider_activity_id: `key-${i % 6}`, occurred_at: minutesAfter(T0, i) })),
        ),
      );
      for (const reply of replies) expect(reply.status).to.be.oneOf([200, 201, 409]);
      expect(await count('commerces')).to.equal(1);
      expect(await count('activity_results')).to.equal(6);
    });
  });

  describe('without workers', () => {
    beforeEach(async () => {
      stack = await startStack({ workers: false, syncWaitMs: 300 });
      tenant = await createTenant();
    });

    it('reports a job that the worker refused for a domain reason with its code, without retrying it', async () => {
      const activity = await request(stack.baseUrl, 'POST', '/api/activities/tasks', {
        tenant,
        body: { commerce_external_id: 'store-001', provider_activity_id: 'visit-9' },
      });
      const reply = await postResult(stack.baseUrl, tenant, seedEvent({ provider_activity_id: 'visit-9' }), { prefer: 'respond-async' });
      expect(reply.status).to.equal(202);
      // Canceled by an admin after the fast checks passed: only the worker can see it.
      await Activity.update({ status: 'CANCELED' }, { where: { id: activity.body.id } });
      stack.startWorkers();
      let status;
      for (let i = 0; i < 100; i++) {
        status = await request(stack.baseUrl, 'GET', reply.body.statusUrl, { tenant });
        if (status.body.state === 'FAILED' || status.body.state === 'COMPLETED') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(status!.body.state).to.equal('FAILED');
      expect(status!.body.attempts).to.equal(1);
      expect(status!.body.error).to.deep.include({ statusCode: 409, code: 'INVALID_STATE_TRANSITION' });
      expect(await count('activity_results')).to.equal(0);
      const again = await postResult(stack.baseUrl, tenant, seedEvent({ provider_activity_id: 'visit-9' }));
      expect(again.status, 'the fast check now answers at once').to.equal(409);
    });

    it('answers 202 with a status URL when the worker does not answer in time, then 201 once it does', async () => {
      const reply = await postResult(stack.baseUrl, tenant, seedEvent());
      expect(reply.status).to.equal(202);
      expect(reply.headers.has('preference-applied')).to.equal(false);
      const queued = await request(stack.baseUrl, 'GET', reply.body.statusUrl, { tenant });
      expect(queued.body).to.include({ state: 'QUEUED', attempts: 0, result: null });

      stack.startWorkers();
      const retried = await postResult(stack.baseUrl, tenant, seedEvent());
      expect(retried.status, 'the retry waits on the same job').to.be.oneOf([200, 201]);
      expect(await count('activity_result_events')).to.equal(1);
    });
  });
});
