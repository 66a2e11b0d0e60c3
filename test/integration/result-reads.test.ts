// GET /api/activity-results as an integrator reads it: filters, pages, the history, other tenants.
import { expect } from 'chai';
import { sequelize } from '../support/db';
import { createTenant, minutesAfter, seedEvent, type TestTenant } from '../support/fixtures';
import { postResult, request, type Reply } from '../support/http';
import { startStack, type Stack } from '../support/stack';

const T0 = '2025-01-16T14:30:00.000Z';

describe('reading results', () => {
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

  async function post(body: Record<string, unknown>, who: TestTenant = tenant): Promise<Reply> {
    const reply = await postResult(stack.baseUrl, who, body);
    expect(reply.status, JSON.stringify(reply.body)).to.be.oneOf([200, 201]);
    return reply;
  }

  /** Every item of a list, page by page, and the number of pages. */
  async function all(path: string, limit: number): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const reply = await get(`${path}${path.includes('?') ? '&' : '?'}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(reply.status, JSON.stringify(reply.body)).to.equal(200);
      ids.push(...reply.body.items.map((item: { id: string }) => item.id));
      cursor = reply.body.nextCursor;
      pages++;
    } while (cursor);
    return { ids, pages };
  }

  it('lists results page by page, each once, and filters them', async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      const status = i % 2 ? 'PENDING' : 'COMPLETED';
      made.push(
        (await post(seedEvent({ provider_activity_id: `ext-${i}`, commerce_external_id: i < 3 ? 'store-a' : 'store-b', status }))).body.id,
      );
    }
    const { ids, pages } = await all('/api/activity-results', 2);
    expect(ids).to.deep.equal(made); // oldest update first
    expect(pages).to.equal(3);

    const first = await get('/api/activity-results');
    expect(first.body.items).to.have.length(5);
    expect(first.body.nextCursor).to.equal(null);
    expect(first.body.items[0]).to.deep.equal((await get(`/api/activity-results/${made[0]}`)).body);

    const ofIds = async (query: string) => (await get(`/api/activity-results?${query}`)).body.items.map((r: { id: string }) => r.id);
    expect(await ofIds('status=PENDING')).to.deep.equal([made[1], made[3]]);
    expect(await ofIds('commerce_external_id=store-b')).to.deep.equal([made[3], made[4]]);
    expect(await ofIds('provider_activity_id=ext-2')).to.deep.equal([made[2]]);
    expect(await ofIds('source=RETEN_ACTIVITY')).to.deep.equal([]);
    expect(await ofIds('source=STANDALONE&status=COMPLETED&commerce_external_id=store-a')).to.deep.equal([made[0], made[2]]);
    expect(await ofIds(`updated_since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).to.deep.equal([]);
    expect(await ofIds('updated_since=2025-01-01T00:00:00%2B02:00')).to.have.length(5);
  });

  it('filters by activity_id', async () => {
    const activity = await request(stack.baseUrl, 'POST', '/api/activities/tasks', {
      tenant,
      body: { commerce_external_id: 'store-001', provider_activity_id: 'act-1' },
    });
    const linked = await post(seedEvent({ activity_id: activity.body.id, provider_activity_id: undefined }));
    await post(seedEvent({ provider_activity_id: 'other' }));
    const reply = await get(`/api/activity-results?activity_id=${activity.body.id.toUpperCase()}`);
    expect(reply.body.items.map((r: { id: string }) => r.id)).to.deep.equal([linked.body.id]);
    expect(reply.body.items[0].source).to.equal('RETEN_ACTIVITY');
  });

  it('never repeats or skips a row that does not change while paging, even rows updated in the same microsecond', async () => {
    for (let i = 0; i < 7; i++) await post(seedEvent({ provider_activity_id: `ext-${i}`, status: 'PENDING' }));
    // Four rows share one updated_at to the microsecond: only the id orders them.
    await sequelize().query(
      `UPDATE activity_results SET updated_at = '2025-02-01T10:00:00.123456Z' WHERE provider_activity_id IN ('ext-1', 'ext-2', 'ext-3', 'ext-4')`,
    );
    const first = await get('/api/activity-results?limit=3');
    const seen: string[] = first.body.items.map((r: { id: string }) => r.id);
    // While paging: a row of the first page changes (it moves to the end) and a new row arrives.
    const changed = first.body.items[0];
    const [[{ key }]] = (await sequelize().query(
      `SELECT provider_activity_id AS key FROM activity_results WHERE id = '${changed.id}'`,
    )) as [Array<{ key: string }>, unknown];
    await post(seedEvent({ provider_activity_id: key, occurred_at: minutesAfter(T0, 5), status: 'COMPLETED' }));
    await post(seedEvent({ provider_activity_id: 'ext-new' }));
    let cursor = first.body.nextCursor;
    while (cursor) {
      const page = await get(`/api/activity-results?limit=3&cursor=${cursor}`);
      seen.push(...page.body.items.map((r: { id: string }) => r.id));
      cursor = page.body.nextCursor;
    }
    const [rows] = await sequelize().query(`SELECT id FROM activity_results WHERE tenant_id = '${tenant.tenantId}'`);
    const everyId = (rows as Array<{ id: string }>).map((r) => r.id);
    for (const id of everyId) expect(seen.filter((s) => s === id).length, id).to.be.oneOf(id === changed.id ? [1, 2] : [1]);
    expect(new Set(seen)).to.deep.equal(new Set(everyId));
  });

  it('refuses bad query parameters with 400 naming each', async () => {
    const bad = async (query: string) => {
      const reply = await get(`/api/activity-results?${query}`);
      expect(reply.status, query).to.equal(400);
      expect(reply.body.code).to.equal('VALIDATION_FAILED');
      return [...new Set(reply.body.details.map((d: { path: string }) => d.path))];
    };
    expect(await bad('limit=101')).to.deep.equal(['query.limit']);
    expect(await bad('limit=0')).to.deep.equal(['query.limit']);
    expect(await bad('limit=ten')).to.deep.equal(['query.limit']);
    expect(await bad('stauts=PENDING')).to.deep.equal(['query.stauts']);
    expect(await bad('status=DONE&source=ELSEWHERE')).to.deep.equal(['query.status', 'query.source']);
    expect(await bad('updated_since=2025-01-16T14:30:00')).to.deep.equal(['query.updated_since']);
    expect(await bad('updated_since=2025-02-31T00:00:00Z')).to.deep.equal(['query.updated_since']);
    expect(await bad('activity_id=nope')).to.deep.equal(['query.activity_id']);
    expect(await bad('status=PENDING&status=COMPLETED')).to.deep.equal(['query.status']);
    expect(await bad('cursor=not-a-cursor')).to.deep.equal(['query.cursor']);
    expect(await bad(`cursor=${Buffer.from('["yesterday","x"]').toString('base64url')}`)).to.deep.equal(['query.cursor']);
    expect((await get('/api/activity-results?limit=100')).status).to.equal(200);
  });

  it("answers a result's applied history in event-time order, bodies as sent, numbers exact", async () => {
    const later = seedEvent({ status: 'COMPLETED', occurred_at: minutesAfter(T0, 10), raw_payload: { big: 'BIG' } });
    const first = await post(seedEvent({ status: 'PENDING' }));
    // A number past what a JavaScript number holds, sent as text.
    const laterText = JSON.stringify(later).replace('"BIG"', '12345678901234567891');
    const updated = await request(stack.baseUrl, 'POST', '/api/activity-results/tasks', {
      tenant,
      rawBody: laterText,
      headers: { 'content-type': 'application/json' },
    });
    expect(updated.status).to.equal(200);
    const stale = await postResult(stack.baseUrl, tenant, seedEvent({ status: 'PENDING', occurred_at: minutesAfter(T0, 5) }));
    expect(stale.status).to.equal(409); // refused: not in the history

    const raw = await fetch(`${stack.baseUrl}/api/activity-results/${first.body.id}/events`, { headers: { 'x-api-key': tenant.key } });
    expect(await raw.text()).to.match(/"big": ?12345678901234567891\b/);
    const history = await get(`/api/activity-results/${first.body.id}/events`);
    expect(history.status).to.equal(200);
    expect(history.body.items.map((e: { status: string }) => e.status)).to.deep.equal(['PENDING', 'COMPLETED']);
    expect(history.body.items[0]).to.include({ occurredAt: T0, status: 'PENDING' });
    expect(history.body.items[0].body).to.deep.equal(seedEvent({ status: 'PENDING' }));
    expect(history.body.items[1].occurredAt).to.equal(minutesAfter(T0, 10));
    expect(history.body.items[1].jobId).to.be.a('string');
    expect(new Date(history.body.items[1].receivedAt).getTime()).to.be.greaterThan(new Date(history.body.items[0].receivedAt).getTime());
  });

  it("keeps tenants apart: another tenant's results are neither listed nor found", async () => {
    const other = await createTenant();
    const mine = await post(seedEvent());
    await post(seedEvent({ provider_activity_id: 'theirs' }), other);
    expect((await get('/api/activity-results')).body.items.map((r: { id: string }) => r.id)).to.deep.equal([mine.body.id]);
    for (const path of [`/api/activity-results/${mine.body.id}`, `/api/activity-results/${mine.body.id}/events`]) {
      const reply = await get(path, other);
      expect(reply.status, path).to.equal(404);
      expect(reply.body.code).to.equal('RESULT_NOT_FOUND');
    }
    expect((await get('/api/activity-results/not-a-uuid/events')).body.code).to.equal('RESULT_NOT_FOUND');
  });

  it('lets either permission read results, and wants a key', async () => {
    await post(seedEvent());
    for (const permission of ['VIEW_ACTIVITIES', 'CREATE_ACTIVITY'] as const) {
      const reader = await createTenant([permission]);
      expect((await get('/api/activity-results', reader)).status, permission).to.equal(200);
    }
    const anonymous = await request(stack.baseUrl, 'GET', '/api/activity-results');
    expect(anonymous.status).to.equal(401);
  });
});
