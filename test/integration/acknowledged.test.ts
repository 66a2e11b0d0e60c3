// What the API acknowledges is stored as sent, once: racing Idempotency-Keys, numbers past 2^53, keys
// named __proto__, and jobs altered after they were queued.
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { taskResultJobId } from '../../domain/jobs';
import { TaskResultType } from '../../models';
import { count, sequelize } from '../support/db';
import { REDIS_URL } from '../support/env';
import { createTenant, minutesAfter, seedEvent, type TestTenant } from '../support/fixtures';
import { postResult, request } from '../support/http';
import { startStackWithTenant, type Stack } from '../support/stack';
import { eventually } from '../support/wait';

const T0 = '2025-01-16T14:30:00.000Z';
const TASKS = '/api/activity-results/tasks';

async function rows<T>(sql: string, bind: unknown[] = []): Promise<T[]> {
  return (await sequelize().query(sql, { bind }))[0] as T[];
}

describe('what the API acknowledges', () => {
  let stack: Stack;
  let tenant: TestTenant;

  beforeEach(async () => ({ stack, tenant } = await startStackWithTenant()));
  afterEach(() => stack.close());

  for (const mode of ['sync', 'async'] as const) {
    it(`acknowledges exactly one of two racing requests with one Idempotency-Key and different bodies (${mode})`, async () => {
      const prefer: Record<string, string> = mode === 'async' ? { prefer: 'respond-async' } : {};
      const pairs = await Promise.all(
        Array.from({ length: 20 }, (_, i) => {
          const headers = { 'idempotency-key': `race-${i}`, ...prefer };
          return Promise.all(
            ['a', 'b'].map((side) => postResult(stack.baseUrl, tenant, seedEvent({ provider_activity_id: `race-${i}-${side}` }), headers)),
          );
        }),
      );
      const acknowledged: string[] = [];
      for (const [i, replies] of pairs.entries()) {
        const statuses = replies.map((r) => r.status).sort();
        expect(statuses, `pair ${i}`).to.deep.equal(mode === 'async' ? [202, 422] : [201, 422]);
        expect(replies.find((r) => r.status === 422)!.body.code).to.equal('IDEMPOTENCY_KEY_REUSED');
        acknowledged.push(`race-${i}-${replies[0].status === 422 ? 'b' : 'a'}`);
      }
      await eventually(async () => ((await count('activity_results')) === 20 ? true : undefined));
      const stored = await rows<{ key: string }>('SELECT provider_activity_id AS key FROM activity_results');
      expect(stored.map((r) => r.key)).to.have.members(acknowledged);
    });
  }

  it('stores numbers past what a JavaScript number holds exactly, in the result and in its history', async () => {
    const text = JSON.stringify(
      seedEvent({ raw_payload: { id: '#ID#', big: '#BIG#' }, task_result: { result: 'ok', payload: { amount: '#AMOUNT#' } } }),
    )
      .replace('"#ID#"', '12345678901234567890')
      .replace('"#BIG#"', '1e400')
      .replace('"#AMOUNT#"', '0.12345678901234567891');
    const reply = await request(stack.baseUrl, 'POST', TASKS, { tenant, rawBody: text, headers: { 'content-type': 'application/json' } });
    expect(reply.status).to.equal(201);
    const [stored] = await rows<Record<string, string>>(
      `SELECT r.raw_payload->>'id' AS id, r.raw_payload->>'big' AS big, r.task_payload->>'amount' AS amount, e.body->'raw_payload'->>'id' AS "historyId"
       FROM activity_results r JOIN activity_result_events e ON e.result_id = r.id`,
    );
    expect(stored).to.deep.equal({
      id: '12345678901234567890',
      big: `1${'0'.repeat(400)}`,
      amount: '0.12345678901234567891',
      historyId: '12345678901234567890',
    });
  });

  it('tells bodies apart that differ only past the 15th digit or under a key named __proto__', async () => {
    // Each pair differs in nothing but the payload: one key, one target, one event time.
    const post = (payload: string, key: string) => {
      const rawBody = JSON.stringify(seedEvent({ raw_payload: '#P#', provider_activity_id: key })).replace('"#P#"', payload);
      return request(stack.baseUrl, 'POST', TASKS, {
        tenant,
        rawBody,
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
      });
    };
    expect((await post('{"id":12345678901234567890}', 'digits')).status).to.equal(201);
    expect((await post('{"id":12345678901234567891}', 'digits')).body.code).to.equal('IDEMPOTENCY_KEY_REUSED');
    expect((await post('{"__proto__":{"a":1}}', 'proto')).status).to.equal(201);
    expect((await post('{"__proto__":{"a":2}}', 'proto')).body.code).to.equal('IDEMPOTENCY_KEY_REUSED');
    const [{ proto }] = await rows<{ proto: string }>(
      `SELECT raw_payload->'__proto__'->>'a' AS proto FROM activity_results WHERE provider_activity_id = 'proto'`,
    );
    expect(proto).to.equal('1');
  });

  it("says Idempotent-Replayed on a replay, also after the tenant's result types changed, and not on an update", async () => {
    expect((await postResult(stack.baseUrl, tenant, seedEvent({ status: 'PENDING' }))).status).to.equal(201);
    const update = await postResult(stack.baseUrl, tenant, seedEvent({ status: 'PENDING', occurred_at: minutesAfter(T0, 1) }));
    expect(update.status).to.equal(200);
    expect(update.headers.has('idempotent-replayed')).to.equal(false);
    await TaskResultType.create({ tenantId: tenant.tenantId, code: 'visited', label: 'Visited', requiresFutureScheduledAt: false });
    let probe = 0;
    await eventually(async () => {
      const fresh = await postResult(stack.baseUrl, tenant, seedEvent({ provider_activity_id: `probe-${probe++}` }));
      return fresh.status === 400 ? true : undefined; // a new event must now use one of the result types
    });
    const replay = await postResult(stack.baseUrl, tenant, seedEvent({ status: 'PENDING', occurred_at: minutesAfter(T0, 1) }));
    expect(replay.status).to.equal(200);
    expect(replay.headers.get('idempotent-replayed')).to.equal('true');
  });

  it('refuses a job whose data was altered after it was queued, and writes nothing', async () => {
    await stack.stopWorkers();
    const reply = await postResult(stack.baseUrl, tenant, seedEvent(), { prefer: 'respond-async' });
    const forged = await createTenant();
    const redis = new Redis(REDIS_URL);
    try {
      const key = `${stack.prefix}:activity-results:${reply.body.jobId}`;
      const data = JSON.parse((await redis.hget(key, 'data'))!);
      await redis.hset(key, 'data', JSON.stringify({ ...data, body: data.body.replace('store-001', 'store-666') }));
      const other = taskResultJobId(tenant.tenantId, 'f'.repeat(64));
      await redis.hset(`${stack.prefix}:activity-results:${other}`, 'data', JSON.stringify({ ...data, tenantId: forged.tenantId }));
      await stack.web.taskResults.add({ ...data, tenantId: forged.tenantId }, other, { keyed: false });
    } finally {
      redis.disconnect();
    }
    stack.startWorkers();
    const status = await eventually(async () => {
      const s = await request(stack.baseUrl, 'GET', reply.body.statusUrl, { tenant });
      return s.body.state === 'FAILED' ? s.body : undefined;
    });
    expect(status.error).to.deep.include({ statusCode: 422, code: 'JOB_DATA_INVALID' });
    expect(await count('activity_results')).to.equal(0);
    expect(await count('commerces')).to.equal(0);
  });

  it('answers a Redis error that is no outage with a logged 500, not a 503', async () => {
    const jobId = taskResultJobId(tenant.tenantId, '', 'broken-key');
    const redis = new Redis(REDIS_URL);
    try {
      await redis.set(`${stack.prefix}:activity-results:${jobId}`, 'not a job'); // WRONGTYPE for every job command
    } finally {
      redis.disconnect();
    }
    const reply = await postResult(stack.baseUrl, tenant, seedEvent(), { 'idempotency-key': 'broken-key' });
    expect(reply.status).to.equal(500);
    expect(reply.body).to.deep.equal({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'internal error',
      code: 'INTERNAL_ERROR',
    });
  });
});
