import { expect } from 'chai';
import { Activity, ActivityResult, ActivityResultEvent, Commerce } from '../../models';
import { count } from '../support/db';
import { minutesAfter, seedEvent, type TestTenant } from '../support/fixtures';
import { postResult, request } from '../support/http';
import { startStackWithTenant, type Stack } from '../support/stack';

describe('POST /api/activity-results/tasks', () => {
  let stack: Stack;
  let tenant: TestTenant;

  beforeEach(async () => ({ stack, tenant } = await startStackWithTenant()));
  afterEach(() => stack.close());

  async function createActivity(providerActivityId?: string, commerce = 'store-001'): Promise<string> {
    const reply = await request(stack.baseUrl, 'POST', '/api/activities/tasks', {
      tenant,
      body: { commerce_external_id: commerce, ...(providerActivityId ? { provider_activity_id: providerActivityId } : {}) },
    });
    expect(reply.status).to.equal(201);
    return reply.body.id;
  }

  it('creates a standalone result with a placeholder commerce for the API page example', async () => {
    const reply = await postResult(stack.baseUrl, tenant, seedEvent());

    expect(reply.status).to.equal(201);
    const body = reply.body;
    expect(body.id).to.match(/^[0-9a-f-]{36}$/);
    expect(body.activityId).to.equal(null);
    expect(body.source).to.equal('STANDALONE');
    expect(body.resultStatus).to.equal('COMPLETED');
    expect(body.externalStatus).to.equal(null);
    expect(body.occurredAt).to.equal('2025-01-16T14:30:00.000Z');
    expect(body.taskDetails).to.deep.equal({
      result: 'success',
      comment: 'Order placed successfully',
      contactType: 'OUTBOUND',
      operatorExternalId: null,
      futureScheduledAt: null,
      payload: null,
    });
    expect(new Date(body.createdAt).toISOString()).to.equal(body.createdAt);
    expect(body.updatedAt).to.equal(body.createdAt);
    expect(reply.headers.get('location')).to.equal(`/api/activity-results/${body.id}`);

    const commerce = await Commerce.findOne({ where: { tenantId: tenant.tenantId, externalId: 'store-001' } });
    expect(commerce?.isPlaceholder).to.equal(true);
    const row = await ActivityResult.findByPk(body.id);
    expect(row?.providerActivityId).to.equal('ext-123');
    expect(row?.commerceId).to.equal(commerce?.id);
    expect(await count('activity_result_events')).to.equal(1);

    const fetched = await request(stack.baseUrl, 'GET', `/api/activity-results/${body.id}`, { tenant });
    expect(fetched.status).to.equal(200);
    expect(fetched.body).to.deep.equal(body);
  });

  it('keeps the request body as received in the history and raw_payload as sent', async () => {
    const raw = { nested: { list: [1, 'two', null], flag: true }, 'odd key': 'ü' };
    const sent = seedEvent({ raw_payload: raw, external_status: 'closed-won', occurred_at: '2025-01-16T15:30:00+01:00' });
    const reply = await postResult(stack.baseUrl, tenant, sent);
    expect(reply.status).to.equal(201);
    expect(reply.body.occurredAt).to.equal('2025-01-16T14:30:00.000Z');
    const row = await ActivityResult.findByPk(reply.body.id);
    expect(row?.rawPayload).to.deep.equal(raw);
    const history = await ActivityResultEvent.findAll({ where: { resultId: reply.body.id } });
    expect(history).to.have.length(1);
    expect(history[0].body).to.deep.equal(sent);
  });

  it('links a result to an activity and follows PENDING → COMPLETED with the activity status in sync', async () => {
    const activityId = await createActivity('visit-1');
    const pending = await postResult(stack.baseUrl, tenant, seedEvent({ provider_activity_id: 'visit-1', status: 'PENDING' }));
    expect(pending.status).to.equal(201);
    expect(pending.body.source).to.equal('RETEN_ACTIVITY');
    expect(pending.body.activityId).to.equal(activityId);
    expect((await Activity.findByPk(activityId))?.status).to.equal('READY');

    const done = await postResult(
      stack.baseUrl,
      tenant,
      seedEvent({ activity_id: activityId, occurred_at: minutesAfter('2025-01-16T14:30:00.000Z', 5) }),
    );
    expect(done.status).to.equal(200);
    expect(done.body.id).to.equal(pending.body.id);
    expect(done.body.resultStatus).to.equal('COMPLETED');
    expect((await Activity.findByPk(activityId))?.status).to.equal('COMPLETED');
    expect(await count('activity_result_events')).to.equal(2);
    expect(await count('activity_results')).to.equal(1);

    const activity = await request(stack.baseUrl, 'GET', `/api/activities/${activityId}`, { tenant });
    expect(activity.body).to.include({ status: 'COMPLETED', resultId: pending.body.id, commerceExternalId: 'store-001' });
  });

  const mapping: Array<[string, string]> = [
    ['PENDING', 'READY'],
    ['COMPLETED', 'COMPLETED'],
    ['NOT_EXECUTED', 'FAILED'],
    ['CANCELED', 'CANCELED'],
    ['TRANSFERRED', 'COMPLETED'],
  ];
  for (const [resultStatus, activityStatus] of mapping) {
    it(`moves the activity to ${activityStatus} for a ${resultStatus} result`, async () => {
      const activityId = await createActivity();
      const reply = await postResult(
        stack.baseUrl,
        tenant,
        seedEvent({ activity_id: activityId, provider_activity_id: undefined, status: resultStatus }),
      );
      expect(reply.status).to.equal(201);
      expect((await Activity.findByPk(activityId))?.status).to.equal(activityStatus);
    });
  }

  it('answers 409 STALE_EVENT for an event not newer than the last applied one, and changes nothing', async () => {
    await postResult(stack.baseUrl, tenant, seedEvent({ status: 'PENDING' }));
    for (const occurredAt of ['2025-01-16T14:30:00.000Z', '2025-01-16T14:00:00.000Z']) {
      const reply = await postResult(
        stack.baseUrl,
        tenant,
        seedEvent({ status: 'PENDING', occurred_at: occurredAt, external_status: 'late' }),
      );
      expect(reply.status).to.equal(409);
      expect(reply.body.code).to.equal('STALE_EVENT');
    }
    const hard = await postResult(stack.baseUrl, tenant, seedEvent({ occurred_at: '2025-01-16T14:00:00.000Z', hard_override: true }));
    expect(hard.body.code, 'hard_override does not skip the temporal guard').to.equal('STALE_EVENT');
    expect(await count('activity_result_events')).to.equal(1);
    expect((await ActivityResult.findOne())?.externalStatus).to.equal(null);
  });

  it('refuses to move a terminal result without hard_override and allows it with one', async () => {
    const activityId = await createActivity('visit-2');
    await postResult(stack.baseUrl, tenant, seedEvent({ provider_activity_id: 'visit-2', status: 'COMPLETED' }));
    const refused = await postResult(
      stack.baseUrl,
      tenant,
      seedEvent({ provider_activity_id: 'visit-2', status: 'CANCELED', occurred_at: minutesAfter('2025-01-16T14:30:00.000Z', 1) }),
    );
    expect(refused.status).to.equal(409);
    expect(refused.body.code).to.equal('INVALID_STATE_TRANSITION');
    expect((await Activity.findByPk(activityId))?.status).to.equal('COMPLETED');

    const forced = await postResult(
      stack.baseUrl,
      tenant,
      seedEvent({
        provider_activity_id: 'visit-2',
        status: 'CANCELED',
        hard_override: true,
        occurred_at: minutesAfter('2025-01-16T14:30:00.000Z', 2),
      }),
    );
    expect(forced.status).to.equal(200);
    expect(forced.body.resultStatus).to.equal('CANCELED');
    expect((await Activity.findByPk(activityId))?.status).to.equal('CANCELED');
    expect((await ActivityResult.findByPk(forced.body.id))?.hardOverride).to.equal(true);
  });

  it('refuses a result that would move an activity canceled by an admin, unless hard_override', async () => {
    const activityId = await createActivity('visit-3');
    await Activity.update({ status: 'CANCELED' }, { where: { id: activityId } });
    const refused = await postResult(stack.baseUrl, tenant, seedEvent({ provider_activity_id: 'visit-3', status: 'COMPLETED' }));
    expect(refused.status).to.equal(409);
    expect(refused.body.code).to.equal('INVALID_STATE_TRANSITION');
    expect(await count('activity_results')).to.equal(0);

    const pending = await postResult(stack.baseUrl, tenant, seedEvent({ provider_activity_id: 'visit-3', status: 'PENDING' }));
    expect(pending.status, 'a PENDING result does not move the activity').to.equal(201);
    expect((await Activity.findByPk(activityId))?.status).to.equal('CANCELED');
  });

  it('answers 404 ACTIVITY_NOT_FOUND for an unknown activity_id and writes nothing', async () => {
    const reply = await postResult(stack.baseUrl, tenant, seedEvent({ activity_id: '4b0c7e1e-1f7a-4a57-9d7e-1d2f3a4b5c6d' }));
    expect(reply.status).to.equal(404);
    expect(reply.body.code).to.equal('ACTIVITY_NOT_FOUND');
    expect(await count('activity_results')).to.equal(0);
    expect(await count('commerces')).to.equal(0);
  });

  it("answers 400 when commerce_external_id is not the activity's commerce", async () => {
    await createActivity('visit-4', 'store-001');
    const reply = await postResult(
      stack.baseUrl,
      tenant,
      seedEvent({ provider_activity_id: 'visit-4', commerce_external_id: 'store-999' }),
    );
    expect(reply.status).to.equal(400);
    expect(reply.body.code).to.equal('VALIDATION_FAILED');
    expect(reply.body.details[0].path).to.equal('commerce_external_id');
    expect(await count('activity_results')).to.equal(0);
  });

  it('answers an exact replay with the stored result and 200, changing nothing', async () => {
    const first = await postResult(stack.baseUrl, tenant, seedEvent());
    const reordered = { task_result: seedEvent().task_result, ...seedEvent(), occurred_at: '2025-01-16T14:30:00Z' };
    const replay = await postResult(stack.baseUrl, tenant, reordered);
    expect(replay.status).to.equal(200);
    expect(replay.body).to.deep.equal(first.body);
    expect(await count('activity_result_events')).to.equal(1);
  });

  it('answers a replay as a replay even after its standalone key was linked to a new activity', async () => {
    const first = await postResult(stack.baseUrl, tenant, seedEvent());
    await createActivity('ext-123');
    // Another Idempotency-Key makes another job, so the worker meets the event again.
    const replay = await postResult(stack.baseUrl, tenant, seedEvent(), { 'idempotency-key': 'second-job' });
    expect(replay.status).to.equal(200);
    expect(replay.body).to.deep.equal(first.body);
    expect(await count('activity_results')).to.equal(1);
    expect(await count('activity_result_events')).to.equal(1);
  });

  it('updates a standalone result with a newer event and clears the fields the event leaves out', async () => {
    const first = await postResult(stack.baseUrl, tenant, seedEvent({ status: 'PENDING', external_status: 'open' }));
    const second = await postResult(
      stack.baseUrl,
      tenant,
      seedEvent({ occurred_at: minutesAfter('2025-01-16T14:30:00.000Z', 1), task_result: { result: 'sold', payload: { items: 3 } } }),
    );
    expect(second.status).to.equal(200);
    expect(second.body.id).to.equal(first.body.id);
    expect(second.body.externalStatus).to.equal(null);
    expect(second.body.taskDetails).to.deep.include({ result: 'sold', comment: null, payload: { items: 3 } });
    expect(new Date(second.body.updatedAt).getTime()).to.be.greaterThan(new Date(first.body.updatedAt).getTime());
  });
});
