import { expect } from 'chai';
import { Commerce } from '../../models';
import { count } from '../support/db';
import { seedEvent, type TestTenant } from '../support/fixtures';
import { postResult, request } from '../support/http';
import { startStackWithTenant, type Stack } from '../support/stack';

describe('/api/activities', () => {
  let stack: Stack;
  let tenant: TestTenant;

  beforeEach(async () => ({ stack, tenant } = await startStackWithTenant()));
  afterEach(() => stack.close());

  const create = (body: unknown) => request(stack.baseUrl, 'POST', '/api/activities/tasks', { tenant, body });

  it('creates a READY task activity and its commerce, and reads it back', async () => {
    const reply = await create({
      commerce_external_id: 'store-7',
      provider_activity_id: 'v-1',
      channel: 'FIELD',
      scheduled_at: '2025-02-01T09:00:00+01:00',
    });
    expect(reply.status).to.equal(201);
    expect(reply.body).to.include({
      type: 'TASK',
      status: 'READY',
      channel: 'FIELD',
      providerActivityId: 'v-1',
      scheduledAt: '2025-02-01T08:00:00.000Z',
      resultId: null,
      parentActivityId: null,
    });
    expect(reply.headers.get('location')).to.equal(`/api/activities/${reply.body.id}`);
    const commerce = await Commerce.findOne({ where: { tenantId: tenant.tenantId, externalId: 'store-7' } });
    expect(commerce?.isPlaceholder).to.equal(false);

    const read = await request(stack.baseUrl, 'GET', `/api/activities/${reply.body.id}`, { tenant });
    expect(read.status).to.equal(200);
    expect(read.body).to.deep.equal(reply.body);
  });

  it('reuses a known commerce for further activities and turns a placeholder into a real commerce', async () => {
    await postResult(stack.baseUrl, tenant, seedEvent({ commerce_external_id: 'store-8' }));
    expect((await Commerce.findOne({ where: { externalId: 'store-8' } }))?.isPlaceholder).to.equal(true);
    expect((await create({ commerce_external_id: 'store-8' })).status).to.equal(201);
    expect((await create({ commerce_external_id: 'store-8' })).status).to.equal(201);
    expect(await count('commerces')).to.equal(1);
    expect((await Commerce.findOne({ where: { externalId: 'store-8' } }))?.isPlaceholder).to.equal(false);
  });

  it('answers 409 for a duplicate provider_activity_id and 400 for a bad body', async () => {
    const first = await create({ commerce_external_id: 's', provider_activity_id: 'dup' });
    expect(first.status).to.equal(201);
    const duplicate = await create({ commerce_external_id: 's', provider_activity_id: 'dup' });
    expect(duplicate.status).to.equal(409);
    expect(duplicate.body.code).to.equal('ACTIVITY_ALREADY_EXISTS');
    expect(duplicate.body.message).to.equal(`activity ${first.body.id} has provider_activity_id "dup" already`);
    expect(duplicate.body.details).to.deep.equal([{ path: 'provider_activity_id', message: `taken by activity ${first.body.id}` }]);
    const bad = await create({ provider_activity_id: 7, scheduled_at: 'soon', extra: true });
    expect(bad.status).to.equal(400);
    expect(bad.body.details.map((d: { path: string }) => d.path)).to.have.members([
      'commerce_external_id',
      'provider_activity_id',
      'scheduled_at',
      'extra',
    ]);
    expect(await count('activities')).to.equal(1);
  });

  it('answers 400 for strings PostgreSQL cannot store instead of storing them altered', async () => {
    for (const text of ['a\u0000b', 'a\ud800b']) {
      for (const field of ['commerce_external_id', 'provider_activity_id', 'channel']) {
        const reply = await create({ commerce_external_id: 'store-1', [field]: text });
        expect(reply.status, `${JSON.stringify(text)} in ${field}`).to.equal(400);
        expect(reply.body.details.map((d: { path: string }) => d.path)).to.deep.equal([field]);
      }
    }
    expect(await count('activities')).to.equal(0);
  });

  it('answers 404 for unknown ids, malformed ids and unknown routes', async () => {
    for (const path of [
      '/api/activities/4b0c7e1e-1f7a-4a57-9d7e-1d2f3a4b5c6d',
      '/api/activities/not-a-uuid',
      '/api/activity-results/not-a-uuid',
    ]) {
      const reply = await request(stack.baseUrl, 'GET', path, { tenant });
      expect(reply.status).to.equal(404);
      expect(reply.body.code).to.be.oneOf(['ACTIVITY_NOT_FOUND', 'RESULT_NOT_FOUND']);
    }
    const route = await request(stack.baseUrl, 'GET', '/nowhere');
    expect(route.status).to.equal(404);
    expect(route.body).to.include({ statusCode: 404, error: 'Not Found', code: 'NOT_FOUND' });
  });
});
