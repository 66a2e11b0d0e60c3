import { expect } from 'chai';
import { ApiKey } from '../../models';
import { count } from '../support/db';
import { createTenant, seedEvent, type TestTenant } from '../support/fixtures';
import { request } from '../support/http';
import { startStack, type Stack } from '../support/stack';

describe('authentication and tenant isolation', () => {
  let stack: Stack;
  let tenant: TestTenant;

  beforeEach(async () => {
    stack = await startStack({ syncWaitMs: 2000 });
    tenant = await createTenant();
  });
  afterEach(() => stack.close());

  const post = (headers: Record<string, string>) =>
    request(stack.baseUrl, 'POST', '/api/activity-results/tasks', { headers, body: seedEvent() });

  it('accepts Authorization: Bearer with x-tenant-id', async () => {
    const reply = await post({ authorization: `Bearer ${tenant.key}`, 'x-tenant-id': tenant.tenantId });
    expect(reply.status).to.equal(201);
  });

  const unauthorized: Array<[string, (t: TestTenant) => Record<string, string>]> = [
    ['no credentials', () => ({})],
    ['an unknown key', () => ({ 'x-api-key': 'ark_not-a-key' })],
    ['a Bearer key without x-tenant-id', (t) => ({ authorization: `Bearer ${t.key}` })],
    ['a malformed Authorization header', (t) => ({ authorization: `Basic ${t.key}`, 'x-tenant-id': t.tenantId })],
  ];
  for (const [name, headers] of unauthorized) {
    it(`answers 401 UNAUTHORIZED for ${name}`, async () => {
      const reply = await post(headers(tenant));
      expect(reply.status).to.equal(401);
      expect(reply.body).to.include({ statusCode: 401, error: 'Unauthorized', code: 'UNAUTHORIZED' });
      expect(await count('activity_results')).to.equal(0);
    });
  }

  it('answers 401 for revoked and expired keys', async () => {
    const revoked = await createTenant(undefined, { revokedAt: new Date(Date.now() - 1000) });
    const expired = await createTenant(undefined, { expiresAt: new Date(Date.now() - 1000) });
    expect((await post({ 'x-api-key': revoked.key })).body.message).to.match(/revoked/);
    expect((await post({ 'x-api-key': expired.key })).body.message).to.match(/expired/);
  });

  it('stops accepting a key within seconds of its revocation', async () => {
    expect((await post({ 'x-api-key': tenant.key })).status).to.equal(201);
    await ApiKey.update({ revokedAt: new Date() }, { where: { id: tenant.apiKeyId } });
    await new Promise((r) => setTimeout(r, 300)); // the test stack caches keys for 200 ms
    expect((await post({ 'x-api-key': tenant.key })).status).to.equal(401);
  });

  it('answers 403 FORBIDDEN for a key of another tenant and for a missing permission', async () => {
    const other = await createTenant();
    const mismatch = await post({ authorization: `Bearer ${tenant.key}`, 'x-tenant-id': other.tenantId });
    expect(mismatch.status).to.equal(403);
    expect(mismatch.body.code).to.equal('FORBIDDEN');

    const viewer = await createTenant(['VIEW_ACTIVITIES']);
    const denied = await post({ 'x-api-key': viewer.key });
    expect(denied.status).to.equal(403);
    const creator = await createTenant(['CREATE_ACTIVITY']);
    const created = await request(stack.baseUrl, 'POST', '/api/activities/tasks', { tenant: creator, body: { commerce_external_id: 's' } });
    const view = await request(stack.baseUrl, 'GET', `/api/activities/${created.body.id}`, { tenant: creator });
    expect(view.status).to.equal(403);
    expect(await count('activity_results')).to.equal(0);
  });

  it('keeps every tenant to its own activities and results', async () => {
    const other = await createTenant();
    const activity = await request(stack.baseUrl, 'POST', '/api/activities/tasks', {
      tenant,
      body: { commerce_external_id: 'store-001', provider_activity_id: 'shared-id' },
    });
    const result = await request(stack.baseUrl, 'POST', '/api/activity-results/tasks', {
      tenant,
      body: seedEvent({ activity_id: activity.body.id }),
    });
    expect(result.status).to.equal(201);

    expect((await request(stack.baseUrl, 'GET', `/api/activities/${activity.body.id}`, { tenant: other })).status).to.equal(404);
    expect((await request(stack.baseUrl, 'GET', `/api/activity-results/${result.body.id}`, { tenant: other })).status).to.equal(404);
    const foreignTarget = await request(stack.baseUrl, 'POST', '/api/activity-results/tasks', {
      tenant: other,
      body: seedEvent({ activity_id: activity.body.id }),
    });
    expect(foreignTarget.status).to.equal(404);
    expect(foreignTarget.body.code).to.equal('ACTIVITY_NOT_FOUND');

    // The same provider ids mean different things in another tenant.
    const theirs = await request(stack.baseUrl, 'POST', '/api/activity-results/tasks', {
      tenant: other,
      body: seedEvent({ provider_activity_id: 'shared-id' }),
    });
    expect(theirs.status).to.equal(201);
    expect(theirs.body.source).to.equal('STANDALONE');
    expect(await count('commerces')).to.equal(2);
  });
});
