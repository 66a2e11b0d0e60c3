import { expect } from 'chai';
import { Sequelize } from 'sequelize';
import { TcpProxy } from '../../harness/tcp-proxy';
import { seedEvent, type TestTenant } from '../support/fixtures';
import { postResult, request } from '../support/http';
import { queueInvalidJob } from '../support/board';
import { eventually } from '../support/wait';
import { startStack, startStackWithTenant, type Stack } from '../support/stack';
import { REDIS_URL } from '../support/env';

// Nothing listens on port 1: connections are refused at once.
const DEAD_POSTGRES = 'postgres://nobody@127.0.0.1:1/nothing';

describe('health and readiness', () => {
  let stack: Stack;
  afterEach(async () => {
    await stack.close();
    await proxy?.stop();
    proxy = undefined;
  });

  it('answers /healthz and /readyz with 200 when PostgreSQL and Redis answer', async () => {
    stack = await startStack({ workers: false });
    expect((await request(stack.baseUrl, 'GET', '/healthz')).body).to.deep.equal({ status: 'ok' });
    await untilReady(stack);
    const ready = await request(stack.baseUrl, 'GET', '/readyz');
    expect(ready.body).to.deep.include({ status: 'ready', postgres: true, redis: true, failing: [] });
  });

  it('answers /readyz with 503 naming Redis while Redis is unreachable, and 200 once it is back', async () => {
    const redis = await redisBehindProxy();
    stack = await startStack({ workers: false, redisUrl: redis.url('redis') });
    await untilReady(stack);
    await redis.stop();
    const started = Date.now();
    const ready = await request(stack.baseUrl, 'GET', '/readyz');
    expect(ready.status).to.equal(503);
    expect(ready.body).to.deep.include({ status: 'unavailable', postgres: true, redis: false, failing: ['redis'] });
    expect(Date.now() - started).to.be.below(2_000);
    expect((await request(stack.baseUrl, 'GET', '/healthz')).status).to.equal(200);
    await redis.start();
    await untilReady(stack);
  });

  it('answers /readyz with 503 naming PostgreSQL when PostgreSQL is unreachable', async () => {
    const deadDb = new Sequelize(DEAD_POSTGRES, { dialect: 'postgres', logging: false, dialectOptions: { connectionTimeoutMillis: 500 } });
    try {
      stack = await startStack({ workers: false, sequelize: deadDb });
      // Redis connects within moments of the start; PostgreSQL never answers.
      const ready = await eventually(async () => {
        const reply = await request(stack.baseUrl, 'GET', '/readyz');
        return reply.body.redis ? reply : undefined;
      });
      expect(ready.status).to.equal(503);
      expect(ready.body).to.deep.include({ postgres: false, redis: true, failing: ['postgres'] });
    } finally {
      await deadDb.close();
    }
  });
});

describe('GET /metrics', () => {
  let stack: Stack;
  let tenant: TestTenant;

  beforeEach(async () => ({ stack, tenant } = await startStackWithTenant()));
  afterEach(async () => {
    await stack.close();
    await proxy?.stop();
    proxy = undefined;
  });

  const metrics = async () => {
    const reply = await request(stack.baseUrl, 'GET', '/metrics');
    expect(reply.status).to.equal(200);
    expect(reply.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/);
    return reply.body as string;
  };

  it('counts requests by route template and status, jobs by queue, outcome and code, and reads queue depth', async () => {
    expect((await postResult(stack.baseUrl, tenant, seedEvent())).status).to.equal(201);
    expect((await postResult(stack.baseUrl, tenant, seedEvent({ occurred_at: '2025-01-16T15:30:00.000Z' }))).status).to.equal(200);
    expect((await postResult(stack.baseUrl, tenant, seedEvent({ occurred_at: '2025-01-16T13:30:00.000Z' }))).status).to.equal(409);
    const created = await postResult(stack.baseUrl, tenant, seedEvent({ provider_activity_id: 'other' }));
    await request(stack.baseUrl, 'GET', `/api/activity-results/${created.body.id}`, { tenant });
    await request(stack.baseUrl, 'GET', '/api/activity-results/not-a-uuid', { tenant });
    await request(stack.baseUrl, 'GET', '/no/such/path');
    const failedId = await queueInvalidJob(stack, tenant.tenantId);
    await eventually(async () => ((await stack.web.taskResults.getJob(failedId))?.finishedOn ? true : undefined));
    await stack.stopWorkers();
    await stack.web.taskResults.add(
      { tenantId: tenant.tenantId, fingerprint: '1'.repeat(64), body: '{}', receivedAt: new Date().toISOString() },
      `tr-${tenant.tenantId}-f${'1'.repeat(40)}`,
      { keyed: false },
    );

    const text = await metrics();
    const line = (series: string) => text.split('\n').find((l) => l.startsWith(`${series} `));
    const tasks = 'route="/api/activity-results/tasks"';
    expect(line(`http_requests_total{method="POST",${tasks},status="201"}`)).to.match(/ 2$/);
    expect(line(`http_requests_total{method="POST",${tasks},status="200"}`)).to.match(/ 1$/);
    expect(line(`http_requests_total{method="POST",${tasks},status="409"}`)).to.match(/ 1$/);
    expect(line(`http_requests_total{method="GET",route="/api/activity-results/:id",status="200"}`)).to.match(/ 1$/);
    expect(line(`http_requests_total{method="GET",route="/api/activity-results/:id",status="404"}`)).to.match(/ 1$/);
    expect(line(`http_requests_total{method="GET",route="unmatched",status="404"}`)).to.match(/ 1$/);
    expect(line(`http_request_duration_seconds_count{method="POST",${tasks}}`)).to.match(/ 4$/);
    expect(text).to.include(`http_request_duration_seconds_bucket{le="0.1",method="POST",${tasks}}`);

    expect(line('jobs_total{queue="activity-results",outcome="completed",code="CREATED"}')).to.match(/ 2$/);
    expect(line('jobs_total{queue="activity-results",outcome="completed",code="UPDATED"}')).to.match(/ 1$/);
    expect(line('jobs_total{queue="activity-results",outcome="failed",code="VALIDATION_FAILED"}')).to.match(/ 1$/);
    expect(line('job_duration_seconds_count{queue="activity-results",outcome="completed"}')).to.match(/ 3$/);
    // One request after another: each event is a batch of its own.
    expect(line('task_result_batch_events_bucket{le="1"}')).to.match(/ 3$/);
    expect(line('task_result_batch_events_count')).to.match(/ 3$/);

    expect(line('queue_depth{queue="activity-results",state="waiting"}')).to.match(/ 1$/);
    expect(line('queue_depth{queue="activity-results",state="failed"}')).to.match(/ 1$/);
    expect(line('queue_depth{queue="activity-results",state="active"}')).to.match(/ 0$/);
    // Only the follow-up reconciler's next run, if it has been scheduled yet.
    expect(line('queue_depth{queue="follow-ups",state="delayed"}')).to.match(/ [01]$/);
  });

  it('still answers while Redis is unreachable, without the queue depth', async () => {
    await stack.close();
    const redis = await redisBehindProxy();
    stack = await startStack({ workers: false, redisUrl: redis.url('redis') });
    await untilReady(stack);
    expect(await metrics()).to.match(/^queue_depth\{queue="follow-ups",state="waiting"\} 0$/m);
    await redis.stop();
    const text = await metrics();
    expect(text).to.include('# TYPE http_requests_total counter');
    expect(text).not.to.match(/^queue_depth\{/m);
    await redis.start();
    await untilReady(stack);
  });
});

/** Redis behind a proxy the test can take down; the proxy's port stays the same when it comes back. */
let proxy: TcpProxy | undefined;

const untilReady = (stack: Stack) =>
  eventually(async () => ((await request(stack.baseUrl, 'GET', '/readyz')).status === 200 ? true : undefined));

async function redisBehindProxy(): Promise<TcpProxy> {
  const target = new URL(REDIS_URL);
  proxy = await new TcpProxy(Number(target.port || 6379), target.hostname).start();
  return proxy;
}
