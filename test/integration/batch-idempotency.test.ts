// A batch's Idempotency-Key, its tenant and its rate limit: a retried batch gets the same items, a key
// reused with another batch is refused whole (also when two race), another tenant's activity is not
// found, and a batch counts as its events.
import { expect } from 'chai';
import { tenantOfJobId } from '../../domain/jobs';
import { Tenant } from '../../models';
import { count, sequelize } from '../support/db';
import { createTenant, minutesAfter, seedEvent, type TestTenant } from '../support/fixtures';
import { postBatch, postResult, request } from '../support/http';
import { startStack, type Stack } from '../support/stack';
import { eventually } from '../support/wait';

const T0 = '2025-01-16T14:30:00.000Z';
const statuses = (reply: { body: any }) => reply.body.items.map((i: any) => i.status);

describe('batch keys, tenants and limits', () => {
  let stack: Stack;
  let tenant: TestTenant;

  beforeEach(async () => {
    stack = await startStack();
    tenant = await createTenant();
  });
  afterEach(() => stack.close());

  it('answers a retried batch with the same Idempotency-Key with the same items, adding nothing', async () => {
    const headers = { 'idempotency-key': 'shift-7' };
    const batch = [seedEvent({ provider_activity_id: 'k1' }), seedEvent({ status: 'DONE' }), seedEvent({ provider_activity_id: 'k2' })];
    const first = await postBatch(stack.baseUrl, tenant, batch, headers);
    expect(statuses(first)).to.deep.equal([201, 400, 201]);
    const again = await postBatch(stack.baseUrl, tenant, batch, headers);
    expect(statuses(again)).to.deep.equal([200, 400, 200]);
    expect(again.body.items.map((i: any) => i.result?.id)).to.deep.equal(first.body.items.map((i: any) => i.result?.id));
    expect(await count('activity_result_events')).to.equal(2);
    expect((await stack.web.taskResults.queue.getJobCounts()).completed).to.equal(2);
    // The jobs' ids name their tenant, so their status is found by it and by no one else.
    const { jobId } = first.body.items[0];
    expect(tenantOfJobId(jobId)).to.equal(tenant.tenantId);
    expect((await request(stack.baseUrl, 'GET', `/api/activity-results/jobs/${jobId}`, { tenant })).body.state).to.equal('COMPLETED');
    expect((await request(stack.baseUrl, 'GET', `/api/activity-results/jobs/${jobId}`, { tenant: await createTenant() })).status).to.equal(
      404,
    );
  });

  it('answers 422 IDEMPOTENCY_KEY_REUSED for the key with another batch, and changes nothing', async () => {
    const headers = { 'idempotency-key': 'shift-8' };
    await postBatch(stack.baseUrl, tenant, [seedEvent({ provider_activity_id: 'r1' }), seedEvent({ provider_activity_id: 'r2' })], headers);
    const other = [seedEvent({ provider_activity_id: 'r1' }), seedEvent({ provider_activity_id: 'r3' })];
    const reused = await postBatch(stack.baseUrl, tenant, other, headers);
    expect(reused.status).to.equal(422);
    expect(reused.body.code).to.equal('IDEMPOTENCY_KEY_REUSED');
    const shorter = await postBatch(stack.baseUrl, tenant, other.slice(0, 1), headers);
    expect(shorter.status).to.equal(422);
    expect(await count('activity_results')).to.equal(2);
    expect(await count('activity_results', "provider_activity_id = 'r3'")).to.equal(0);
    expect(await stack.web.taskResults.queue.getJobCountByTypes('completed', 'waiting', 'active', 'failed', 'delayed')).to.equal(2);
    // The key of a batch is not the key of a single event sent with it.
    expect((await postResult(stack.baseUrl, tenant, seedEvent({ provider_activity_id: 'r4' }), headers)).status).to.equal(201);
  });

  it('acknowledges exactly one of two racing batches with one key and different bodies, whole', async () => {
    const pairs = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        Promise.all(
          ['a', 'b'].map((side) =>
            postBatch(
              stack.baseUrl,
              tenant,
              [seedEvent({ provider_activity_id: `race-${i}` }), seedEvent({ provider_activity_id: `race-${i}-${side}` })],
              {
                'idempotency-key': `race-${i}`,
                prefer: 'respond-async',
              },
            ),
          ),
        ),
      ),
    );
    const acknowledged: string[] = [];
    for (const [i, replies] of pairs.entries()) {
      expect(replies.map((r) => r.status).sort(), `pair ${i}`).to.deep.equal([202, 422]);
      acknowledged.push(`race-${i}`, `race-${i}-${replies[0].status === 202 ? 'a' : 'b'}`);
    }
    await eventually(async () => ((await count('activity_results')) === 20 ? true : undefined));
    const stored = await stack.web.taskResults.queue.getJobCountByTypes('completed');
    expect(stored).to.equal(20);
    const [rows] = await sequelize().query('SELECT provider_activity_id AS key FROM activity_results');
    expect((rows as { key: string }[]).map((r) => r.key)).to.have.members(acknowledged);
  });

  it("answers another tenant's activity as that event's 404, and leaves it untouched", async () => {
    const created = await request(stack.baseUrl, 'POST', '/api/activities/tasks', {
      tenant,
      body: { commerce_external_id: 'store-001', provider_activity_id: 'mine' },
    });
    const stranger = await createTenant();
    const reply = await postBatch(stack.baseUrl, stranger, [
      seedEvent({ activity_id: created.body.id, provider_activity_id: undefined }),
      seedEvent({ provider_activity_id: 'mine' }),
    ]);
    expect(reply.body.items.map((i: any) => [i.status, i.code ?? i.result.source])).to.deep.equal([
      [404, 'ACTIVITY_NOT_FOUND'],
      [201, 'STANDALONE'],
    ]);
    expect(await count('activity_results', `activity_id = '${created.body.id}'`)).to.equal(0);
    expect(await count('activity_results', `tenant_id = '${tenant.tenantId}'`)).to.equal(0);
  });

  it("counts a batch as its events against the tenant's rate limit: over what is left, 429 with Retry-After and nothing queued", async () => {
    await Tenant.update({ rateLimitRps: 5, rateLimitBurst: 10 }, { where: { id: tenant.tenantId } });
    const batch = (n: number, from: number) =>
      Array.from({ length: n }, (_, i) => seedEvent({ provider_activity_id: `rl-${from + i}`, occurred_at: minutesAfter(T0, i) }));
    const within = await postBatch(stack.baseUrl, tenant, batch(8, 0), { prefer: 'respond-async' });
    expect(within.status).to.equal(202);
    expect(within.headers.get('ratelimit-remaining')).to.equal('2');
    const over = await postBatch(stack.baseUrl, tenant, batch(5, 8), { prefer: 'respond-async' });
    expect(over.status).to.equal(429);
    expect(over.body.code).to.equal('RATE_LIMITED');
    expect(Number(over.headers.get('retry-after'))).to.be.within(1, 2);
    await eventually(async () => ((await count('activity_results')) === 8 ? true : undefined));
    expect(await stack.web.taskResults.queue.getJobCountByTypes('completed', 'waiting', 'active', 'delayed')).to.equal(8);
  });
});
