// GET /api/activities and follow-ups found from their result: what a provider does after sending a
// future_scheduled_at.
import { expect } from 'chai';
import { createTenant, seedEvent, type TestTenant } from '../support/fixtures';
import { postResult, request } from '../support/http';
import { startStack, type Stack } from '../support/stack';
import { waitFor } from '../support/wait';

describe('reading activities and follow-ups', () => {
  let stack: Stack;
  let tenant: TestTenant;

  before(async () => {
    stack = await startStack();
  });
  after(() => stack.close());
  beforeEach(async () => {
    tenant = await createTenant();
  });

  const get = (path: string, who: TestTenant = tenant) => request(stack.baseUrl, 'GET', path, { tenant: who });
  const create = async (body: Record<string, unknown>, who: TestTenant = tenant) => {
    const reply = await request(stack.baseUrl, 'POST', '/api/activities/tasks', { tenant: who, body });
    expect(reply.status, JSON.stringify(reply.body)).to.equal(201);
    return reply.body;
  };
  const ids = async (query: string) => {
    const reply = await get(`/api/activities?${query}`);
    expect(reply.status, JSON.stringify(reply.body)).to.equal(200);
    return reply.body.items.map((a: { id: string }) => a.id);
  };

  it('lists activities page by page and filters them', async () => {
    const a = await create({ commerce_external_id: 'store-a', provider_activity_id: 'a', scheduled_at: '2025-03-01T09:00:00Z' });
    const b = await create({ commerce_external_id: 'store-a', provider_activity_id: 'b', scheduled_at: '2025-03-02T09:00:00Z' });
    const c = await create({ commerce_external_id: 'store-b', scheduled_at: '2025-03-03T09:00:00+01:00' });
    const d = await create({ commerce_external_id: 'store-b' });
    const done = await postResult(stack.baseUrl, tenant, seedEvent({ provider_activity_id: 'a', commerce_external_id: 'store-a' }));
    expect(done.status).to.equal(201);

    // a changed last (its status followed its result), so it comes last.
    expect(await ids('')).to.deep.equal([b.id, c.id, d.id, a.id]);
    const firstPage = await get('/api/activities?limit=3');
    expect(firstPage.body.items).to.have.length(3);
    const rest = await get(`/api/activities?limit=3&cursor=${firstPage.body.nextCursor}`);
    expect(rest.body.items.map((x: { id: string }) => x.id)).to.deep.equal([a.id]);
    expect(rest.body.nextCursor).to.equal(null);
    expect(rest.body.items[0]).to.include({
      status: 'COMPLETED',
      resultId: done.body.id,
      commerceExternalId: 'store-a',
      parentActivityId: null,
      sourceResultId: null,
    });

    expect(await ids('status=COMPLETED')).to.deep.equal([a.id]);
    expect(await ids('status=READY&commerce_external_id=store-a')).to.deep.equal([b.id]);
    expect(await ids('provider_activity_id=b')).to.deep.equal([b.id]);
    expect(await ids('scheduled_from=2025-03-02T09:00:00Z')).to.deep.equal([b.id, c.id]);
    expect(await ids('scheduled_to=2025-03-02T09:00:00Z')).to.deep.equal([a.id]); // the end is exclusive
    expect(await ids('scheduled_from=2025-03-01T00:00:00Z&scheduled_to=2025-03-03T08:00:00Z')).to.deep.equal([b.id, a.id]);

    for (const query of ['limit=101', 'status=PENDING', 'parent_activity_id=x', 'scheduled_from=tomorrow', 'cursor=abc', 'sort=id']) {
      const reply = await get(`/api/activities?${query}`);
      expect(reply.status, query).to.equal(400);
      expect(reply.body.code).to.equal('VALIDATION_FAILED');
    }
  });

  it('finds the follow-up a future_scheduled_at caused, from the result and from the list', async () => {
    const parent = await create({ commerce_external_id: 'store-001', provider_activity_id: 'visit-1' });
    const due = new Date(Date.now() + 1_500).toISOString();
    const posted = await postResult(
      stack.baseUrl,
      tenant,
      seedEvent({
        provider_activity_id: 'visit-1',
        status: 'PENDING',
        occurred_at: new Date(Date.now() - 60_000).toISOString(),
        task_result: { result: 'call_back', future_scheduled_at: due },
      }),
    );
    expect(posted.status).to.equal(201);
    expect(posted.body.followUp).to.deep.equal({ scheduledAt: due, state: 'SCHEDULED', activityId: null });
    expect((await get(`/api/activity-results/${posted.body.id}`)).body.followUp).to.deep.equal(posted.body.followUp);

    const created = await waitFor('the follow-up activity', async () => {
      const body = (await get(`/api/activity-results/${posted.body.id}`)).body;
      return body.followUp?.state === 'CREATED' ? body.followUp : undefined;
    });
    expect(created.scheduledAt).to.equal(due);
    const followUp = (await get(`/api/activities/${created.activityId}`)).body;
    expect(followUp).to.include({
      status: 'READY',
      parentActivityId: parent.id,
      sourceResultId: posted.body.id,
      scheduledAt: due,
      commerceExternalId: 'store-001',
    });
    expect(await ids(`parent_activity_id=${parent.id}`)).to.deep.equal([created.activityId]);
    const listed = (await get(`/api/activity-results?provider_activity_id=visit-1`)).body.items[0];
    expect(listed.followUp).to.deep.equal(created);

    // A newer event without a date keeps the follow-up already created.
    const later = await postResult(
      stack.baseUrl,
      tenant,
      seedEvent({ provider_activity_id: 'visit-1', status: 'COMPLETED', occurred_at: new Date().toISOString() }),
    );
    expect(later.status).to.equal(200);
    expect(later.body.followUp).to.deep.equal(created);
  });

  it('answers followUp null without a date, and in the job status of an async request', async () => {
    const plain = await postResult(stack.baseUrl, tenant, seedEvent());
    expect(plain.body.followUp).to.equal(null);
    const due = new Date(Date.now() + 3_600_000).toISOString();
    const queued = await postResult(
      stack.baseUrl,
      tenant,
      seedEvent({ provider_activity_id: 'later', status: 'PENDING', task_result: { result: 'x', future_scheduled_at: due } }),
      { prefer: 'respond-async' },
    );
    expect(queued.status).to.equal(202);
    const status = await waitFor('the job to complete', async () => {
      const reply = await get(queued.body.statusUrl);
      return reply.body.state === 'COMPLETED' ? reply.body : undefined;
    });
    expect(status.result.followUp).to.deep.equal({ scheduledAt: due, state: 'SCHEDULED', activityId: null });
    // A date dropped by a newer event leaves no follow-up.
    const dropped = await postResult(
      stack.baseUrl,
      tenant,
      seedEvent({ provider_activity_id: 'later', status: 'PENDING', occurred_at: '2025-01-16T15:00:00Z' }),
    );
    expect(dropped.status).to.equal(200);
    expect(dropped.body.followUp).to.equal(null);
  });

  it('keeps tenants apart and wants VIEW_ACTIVITIES', async () => {
    const other = await createTenant();
    const mine = await create({ commerce_external_id: 'store-001' });
    await create({ commerce_external_id: 'store-001' }, other);
    expect(await ids('')).to.deep.equal([mine.id]);
    const theirs = await get(`/api/activities/${mine.id}`, other);
    expect(theirs.status).to.equal(404);
    expect(theirs.body.code).to.equal('ACTIVITY_NOT_FOUND');
    expect((await get(`/api/activities?parent_activity_id=${mine.id}`, other)).body.items).to.deep.equal([]);
    const writer = await createTenant(['CREATE_ACTIVITY']);
    const refused = await get('/api/activities', writer);
    expect(refused.status).to.equal(403);
    expect(refused.body.code).to.equal('FORBIDDEN');
  });
});
