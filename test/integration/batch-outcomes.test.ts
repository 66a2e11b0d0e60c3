// What each event of a batch is answered, as the single route would answer it on its own, and what a
// user then finds in PostgreSQL and Redis: a mix of every status, respond-async, one event twice, and a
// full batch of 1,000.
import { expect } from 'chai';
import { JOB_NAMES, taskResultJobId, type TaskResultJobData } from '../../domain/jobs';
import { parseTaskResult } from '../../domain/schemas/task-result';
import { eventFingerprint } from '../../domain/task-result-event';
import { Tenant } from '../../models';
import { count } from '../support/db';
import { createTenant, minutesAfter, seedEvent, type TestTenant } from '../support/fixtures';
import { postBatch, postResult, request } from '../support/http';
import { startStack, type Stack } from '../support/stack';
import { eventually } from '../support/wait';

const T0 = '2025-01-16T14:30:00.000Z';

/** The job the API would make for an event sent without a key, with the text it would hold. */
function jobFor(tenantId: string, event: Record<string, unknown>, body = JSON.stringify(event)) {
  const fingerprint = eventFingerprint(parseTaskResult(event, { now: new Date(), maxClockSkewMs: 300_000 }));
  const data: TaskResultJobData = { tenantId, fingerprint, body, receivedAt: new Date().toISOString() };
  return { jobId: taskResultJobId(tenantId, fingerprint), data };
}

const statuses = (reply: { body: any }) => reply.body.items.map((i: any) => i.status);

describe('batch outcomes', () => {
  let stack: Stack;
  let tenant: TestTenant;

  afterEach(() => stack.close());

  describe('with workers', () => {
    beforeEach(async () => {
      stack = await startStack({ syncWaitMs: 1_500 });
      tenant = await createTenant();
    });

    it('answers each event as the single route would: 201, 200, 202, 400, 404, 409 and 422 in one batch, with their counts', async () => {
      const first = seedEvent({ provider_activity_id: 'b', status: 'PENDING' });
      expect((await postResult(stack.baseUrl, tenant, first)).status).to.equal(201);
      expect((await postResult(stack.baseUrl, tenant, seedEvent({ provider_activity_id: 't' }))).status).to.equal(201);
      // An event queued earlier that is not due yet (a retry in its backoff, say): it stays queued.
      const queued = seedEvent({ provider_activity_id: 'q' });
      const waiting = jobFor(tenant.tenantId, queued);
      await stack.web.taskResults.queue.add(JOB_NAMES.taskResult, waiting.data, { jobId: waiting.jobId, delay: 3_600_000 });
      // An event whose earlier job was altered by hand: the worker refused it as JOB_DATA_INVALID.
      const altered = seedEvent({ provider_activity_id: 'j' });
      const forged = jobFor(tenant.tenantId, altered, JSON.stringify({ ...altered, commerce_external_id: 'store-666' }));
      await stack.web.taskResults.add(forged.data, forged.jobId, { keyed: false });
      await eventually(async () => ((await stack.web.taskResults.getJob(forged.jobId))?.failedReason ? true : undefined));

      const reply = await postBatch(stack.baseUrl, tenant, [
        seedEvent({ provider_activity_id: 'a' }),
        seedEvent({ provider_activity_id: 'b', occurred_at: minutesAfter(T0, 1) }),
        first,
        queued,
        seedEvent({ status: 'DONE' }),
        seedEvent({ activity_id: '00000000-0000-4000-8000-000000000000' }),
        seedEvent({ provider_activity_id: 'b', status: 'PENDING', occurred_at: minutesAfter(T0, -1) }),
        seedEvent({ provider_activity_id: 't', status: 'CANCELED', occurred_at: minutesAfter(T0, 1) }),
        altered,
      ]);
      expect(reply.status).to.equal(200);
      expect(reply.body.items.map((i: any) => [i.index, i.status, i.code])).to.deep.equal([
        [0, 201, undefined],
        [1, 200, undefined],
        [2, 200, undefined],
        [3, 202, undefined],
        [4, 400, 'VALIDATION_FAILED'],
        [5, 404, 'ACTIVITY_NOT_FOUND'],
        [6, 409, 'STALE_EVENT'],
        [7, 409, 'INVALID_STATE_TRANSITION'],
        [8, 422, 'JOB_DATA_INVALID'],
      ]);
      expect(reply.body.counts).to.deep.equal({ 200: 2, 201: 1, 202: 1, 400: 1, 404: 1, 409: 2, 422: 1 });
      const [created, updated, replayed, accepted] = reply.body.items;
      expect(created.result).to.include({ source: 'STANDALONE', resultStatus: 'COMPLETED' });
      expect(updated.result).to.include({ resultStatus: 'COMPLETED', occurredAt: minutesAfter(T0, 1) });
      expect(replayed.result.id).to.equal(updated.result.id);
      expect(accepted.jobId).to.equal(waiting.jobId);
      expect(reply.body.items[4].details).to.deep.include({
        path: 'status',
        message: '"status" must be one of [PENDING, COMPLETED, NOT_EXECUTED, CANCELED, TRANSFERRED]',
      });

      expect(await count('activity_results')).to.equal(3); // a, b, t
      expect(await count('activity_result_events')).to.equal(4); // a, b twice, t
      expect(await count('activity_results', "provider_activity_id IN ('q', 'j')")).to.equal(0);
      expect(await stack.web.taskResults.queue.getJobState(waiting.jobId)).to.equal('delayed');
    });

    it('with Prefer: respond-async answers 202 at once, each accepted event with its job, and the workers apply them', async () => {
      const events = [seedEvent({ provider_activity_id: 'x1' }), seedEvent({ status: 'DONE' }), seedEvent({ provider_activity_id: 'x2' })];
      const reply = await postBatch(stack.baseUrl, tenant, events, { prefer: 'respond-async' });
      expect(reply.status).to.equal(202);
      expect(reply.headers.get('preference-applied')).to.equal('respond-async');
      expect(reply.headers.get('vary')).to.match(/Prefer/);
      expect(statuses(reply)).to.deep.equal([202, 400, 202]);
      expect(reply.body.counts).to.deep.equal({ 202: 2, 400: 1 });
      for (const item of [reply.body.items[0], reply.body.items[2]]) {
        const status = await eventually(async () => {
          const s = await request(stack.baseUrl, 'GET', `/api/activity-results/jobs/${item.jobId}`, { tenant });
          return s.body.state === 'COMPLETED' ? s.body : undefined;
        });
        expect(status.result.resultStatus).to.equal('COMPLETED');
      }
      expect(await count('activity_result_events')).to.equal(2);
    });

    it('applies an end-of-shift batch holding ten events of each key in time order: every one in the history, none refused as stale', async () => {
      const keys = ['shift-a', 'shift-b', 'shift-c'];
      const events = Array.from({ length: 30 }, (_, n) =>
        seedEvent({ provider_activity_id: keys[n % 3], occurred_at: minutesAfter(T0, n), external_status: `e${n}` }),
      );
      const reply = await postBatch(stack.baseUrl, tenant, events, { prefer: 'respond-async' });
      expect(reply.body.counts).to.deep.equal({ 202: 30 });
      const queue = stack.web.taskResults.queue;
      const counts = await eventually(async () => {
        const c = await queue.getJobCounts('completed', 'failed');
        return c.completed + c.failed === 30 ? c : undefined;
      });
      expect(counts, JSON.stringify((await queue.getFailed()).map((job) => job.failedReason))).to.deep.equal({ completed: 30, failed: 0 });
      expect(await count('activity_result_events')).to.equal(30);
      for (const [i, key] of keys.entries()) {
        const [result] = (await request(stack.baseUrl, 'GET', `/api/activity-results?provider_activity_id=${key}`, { tenant })).body.items;
        expect(result.externalStatus, key).to.equal(`e${27 + i}`);
      }
    });

    for (const keyed of [false, true]) {
      it(`makes one job and one history row of the same event twice in one batch${keyed ? ', with an Idempotency-Key' : ''}`, async () => {
        const event = seedEvent({ provider_activity_id: 'twice' });
        const headers: Record<string, string> = keyed ? { 'idempotency-key': 'twice-batch' } : {};
        const reply = await postBatch(stack.baseUrl, tenant, [event, seedEvent({ provider_activity_id: 'other' }), { ...event }], headers);
        expect(statuses(reply)).to.deep.equal([201, 201, 200]);
        const [a, , b] = reply.body.items;
        expect(b.jobId).to.equal(a.jobId);
        expect(b.result.id).to.equal(a.result.id);
        expect(await count('activity_result_events')).to.equal(2);
        expect((await stack.web.taskResults.queue.getJobCounts()).completed).to.equal(2);
      });
    }
  });

  it('queues a full batch of 1,000 events, one job each', async () => {
    stack = await startStack({ workers: false });
    tenant = await createTenant();
    await Tenant.update({ rateLimitRps: 0, rateLimitBurst: 0 }, { where: { id: tenant.tenantId } });
    const events = Array.from({ length: 1000 }, (_, i) => seedEvent({ provider_activity_id: `full-${i}`, raw_payload: { i } }));
    const reply = await postBatch(stack.baseUrl, tenant, events, { prefer: 'respond-async' });
    expect(reply.status).to.equal(202);
    expect(reply.body.counts).to.deep.equal({ 202: 1000 });
    expect(new Set(reply.body.items.map((i: any) => i.jobId)).size).to.equal(1000);
    expect(await stack.web.taskResults.queue.count()).to.equal(1000);
    const last = await stack.web.taskResults.getJob(reply.body.items[999].jobId);
    expect(last!.data.body).to.equal(JSON.stringify(events[999]));
  });
});
