import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { TaskResultEvent } from '../../domain/task-result-event';
import { TargetLookup } from '../../models/target-lookup';
import { sequelize } from '../support/db';
import { createTenant, seedEvent, type TestTenant } from '../support/fixtures';
import { postResult, request } from '../support/http';
import { startStack, type Stack } from '../support/stack';

// The fast checks' lookup answers the lookups of one turn of the event loop with one statement: each
// request must get its own key's target back, whatever else went in the batch.
describe("the fast checks' lookup of many keys at once", () => {
  let stack: Stack;
  let tenant: TestTenant;
  let other: TestTenant;

  beforeEach(async () => {
    stack = await startStack();
    [tenant, other] = [await createTenant(), await createTenant()];
  });
  afterEach(() => stack.close());

  async function createActivity(providerActivityId: string): Promise<string> {
    const reply = await request(stack.baseUrl, 'POST', '/api/activities/tasks', {
      tenant,
      body: { commerce_external_id: 'store-001', provider_activity_id: providerActivityId },
    });
    expect(reply.status).to.equal(201);
    return reply.body.id;
  }

  const event = (key: { activity_id: string } | { provider_activity_id: string }) =>
    ({ commerce_external_id: 'store-001', ...key }) as TaskResultEvent;

  it('gives each key of a batch its own activity and result, within its tenant', async () => {
    const withResult = await createActivity('act-with-result');
    const withoutResult = await createActivity('act-without-result');
    const posted = [
      seedEvent({ provider_activity_id: undefined, activity_id: withResult, status: 'COMPLETED', occurred_at: '2025-01-16T10:00:00.000Z' }),
      seedEvent({ provider_activity_id: 'standalone', status: 'PENDING', occurred_at: '2025-01-16T11:00:00.000Z' }),
    ];
    for (const body of posted) expect((await postResult(stack.baseUrl, tenant, body)).status).to.equal(201);

    const lookup = new TargetLookup(sequelize());
    const [linked, standalone, byProviderId, unknown, otherTenant] = await Promise.all([
      lookup.peek(tenant.tenantId, event({ activity_id: withResult })),
      lookup.peek(tenant.tenantId, event({ provider_activity_id: 'standalone' })),
      lookup.peek(tenant.tenantId, event({ provider_activity_id: 'act-without-result' })),
      lookup.peek(tenant.tenantId, event({ activity_id: randomUUID() })),
      lookup.peek(other.tenantId, event({ provider_activity_id: 'standalone' })),
    ]);

    expect(linked).to.deep.equal({
      activity: { id: withResult, status: 'COMPLETED', commerceExternalId: 'store-001' },
      result: { resultStatus: 'COMPLETED', occurredAt: new Date('2025-01-16T10:00:00.000Z') },
    });
    expect(standalone).to.deep.equal({
      activity: null,
      result: { resultStatus: 'PENDING', occurredAt: new Date('2025-01-16T11:00:00.000Z') },
    });
    expect(byProviderId).to.deep.equal({ activity: { id: withoutResult, status: 'READY', commerceExternalId: 'store-001' }, result: null });
    expect(unknown).to.deep.equal({ activity: null, result: null });
    expect(otherTenant).to.deep.equal({ activity: null, result: null });
  });
});
