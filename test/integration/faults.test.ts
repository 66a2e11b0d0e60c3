import { expect } from 'chai';
import { Client } from 'pg';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUES } from '../../domain/jobs';
import { withDefaultUser } from '../../models/database-url';
import { ResultTypeDirectory } from '../../models/result-type-directory';
import { taskResultProcessor } from '../../workers/processors/task-result';
import { TcpProxy } from '../../harness/tcp-proxy';
import { count, sequelize } from '../support/db';
import { REDIS_URL, TEST_DATABASE_URL } from '../support/env';
import { createTenant, minutesAfter, seedEvent, type TestTenant } from '../support/fixtures';
import { postResult, request } from '../support/http';
import { spawnEntry } from '../support/processes';
import { silentLogger, startStack, uniquePrefix, type Stack } from '../support/stack';
import { eventually, waitFor } from '../support/wait';

/** A web process whose PostgreSQL is behind a proxy the test can cut, on a queue prefix of its own. */
async function webBehindProxy(env: Record<string, string> = {}) {
  const postgres = await new TcpProxy(5432).start();
  const prefix = uniquePrefix();
  const web = spawnEntry('server/index.js', {
    DATABASE_URL: withDefaultUser(postgres.url('postgres', new URL(TEST_DATABASE_URL).pathname)),
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    PORT: '0',
    ...env,
  });
  return { postgres, prefix, web };
}

async function listening(web: ReturnType<typeof spawnEntry>): Promise<string> {
  return `http://127.0.0.1:${JSON.parse(await web.waitForLine(/web listening/)).port}`;
}

describe('faults', () => {
  let stack: Stack | undefined;
  let tenant: TestTenant;

  beforeEach(async () => {
    tenant = await createTenant();
  });
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it('runs a job twice without a second result or history row', async () => {
    stack = await startStack();
    const first = await postResult(stack.baseUrl, tenant, seedEvent());
    expect(first.status).to.equal(201);
    const connection = new Redis(REDIS_URL);
    const queue = new Queue(QUEUES.activityResults, { connection, prefix: stack.prefix });
    try {
      const [job] = await queue.getCompleted();
      await job.retry('completed');
      const rerun = await eventually(async () => {
        const again = await queue.getJob(job.id!);
        return again?.finishedOn && (await again.getState()) === 'completed' && again.returnvalue?.outcome ? again : undefined;
      });
      expect(rerun.returnvalue.outcome).to.equal('replayed');
      expect(rerun.returnvalue.result.id).to.equal(first.body.id);

      // And straight through the processor, as a second worker process picking up a stalled job would.
      const untouched = () => Promise.reject(new Error('a replay must not touch follow-up timers'));
      const processor = taskResultProcessor({
        sequelize: sequelize(),
        maxClockSkewMs: 300_000,
        concurrency: 1,
        logger: silentLogger,
        timers: { schedule: untouched, cancel: untouched, missing: untouched },
        resultTypes: new ResultTypeDirectory(),
      });
      const direct = await processor({ id: job.id, data: job.data, attemptsMade: 2 });
      expect(direct.outcome).to.equal('replayed');
    } finally {
      await queue.close();
      connection.disconnect();
    }
    expect(await count('activity_results')).to.equal(1);
    expect(await count('activity_result_events')).to.equal(1);
  });

  it('retries an attempt whose database connection was killed, and then succeeds', async () => {
    stack = await startStack();
    const blocker = new Client({ connectionString: withDefaultUser(TEST_DATABASE_URL) });
    const observer = new Client({ connectionString: withDefaultUser(TEST_DATABASE_URL) });
    await Promise.all([blocker.connect(), observer.connect()]);
    try {
      const {
        rows: [{ pid: blockerPid }],
      } = await blocker.query('SELECT pg_backend_pid() AS pid');
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE activity_result_events IN EXCLUSIVE MODE');
      const reply = await postResult(stack.baseUrl, tenant, seedEvent(), { prefer: 'respond-async' });
      // The worker's attempt now waits for the lock inside its transaction: kill its connection.
      const pid = await eventually(async () => {
        const { rows } = await observer.query('SELECT pid FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))', [blockerPid]);
        return rows[0]?.pid as number | undefined;
      });
      await observer.query('SELECT pg_terminate_backend($1)', [pid]);
      await blocker.query('COMMIT');

      const status = await eventually(async () => {
        const s = await request(stack!.baseUrl, 'GET', reply.body.statusUrl, { tenant });
        return s.body.state === 'COMPLETED' || s.body.state === 'FAILED' ? s.body : undefined;
      });
      expect(status.state).to.equal('COMPLETED');
      expect(status.attempts).to.equal(2);
    } finally {
      await Promise.all([blocker.end(), observer.end()]);
    }
    expect(await count('activity_results')).to.equal(1);
    expect(await count('activity_result_events')).to.equal(1);
  });

  it('answers 503 with Retry-After, without hanging, when Redis cannot be reached', async () => {
    const redis = await new TcpProxy(6379).start();
    stack = await startStack({ redisUrl: redis.url('redis') });
    try {
      expect((await postResult(stack.baseUrl, tenant, seedEvent())).status).to.equal(201);
      await redis.stop();
      const started = Date.now();
      const reply = await postResult(stack.baseUrl, tenant, seedEvent({ occurred_at: minutesAfter('2025-01-16T14:30:00Z', 1) }));
      expect(reply.status).to.equal(503);
      expect(reply.body.code).to.equal('SERVICE_UNAVAILABLE');
      expect(reply.headers.get('retry-after')).to.match(/^\d+$/);
      expect(Date.now() - started, 'a dead Redis must not hold the request for the sync wait').to.be.lessThan(3000);
      expect(await count('activity_result_events')).to.equal(1);
      const ready = await request(stack.baseUrl, 'GET', '/readyz');
      expect(ready.status).to.equal(503);
      expect(ready.body.failing).to.deep.equal(['redis']);
    } finally {
      await redis.stop();
    }
  });

  it('still queues events (202) while PostgreSQL is unreachable, and applies them once it is back', async () => {
    const { postgres, prefix, web } = await webBehindProxy({ SYNC_WAIT_MS: '300' });
    try {
      const baseUrl = await listening(web);
      const warm = await postResult(baseUrl, tenant, seedEvent(), { prefer: 'respond-async' });
      expect(warm.status).to.equal(202);

      await postgres.stop();
      const reply = await postResult(baseUrl, tenant, seedEvent({ provider_activity_id: 'ext-during-outage' }));
      expect(reply.status).to.equal(202);
      expect(reply.body.status).to.equal('QUEUED');
      expect((await request(baseUrl, 'GET', '/readyz')).body.failing).to.deep.equal(['postgres']);

      await postgres.start();
      stack = await startStack({ prefix });
      await eventually(async () => ((await count('activity_results')) === 2 ? true : undefined));
      expect(await count('activity_result_events')).to.equal(2);
    } finally {
      expect((await web.stop()).code).to.equal(0);
      await postgres.stop();
    }
  });

  it('queues an event (202), not 500, whose fast check loses its database connection to a TCP reset', async () => {
    const { postgres, prefix, web } = await webBehindProxy();
    try {
      const baseUrl = await listening(web);
      // The key and the tenant's result types are cached from here on: the next request's only statement is its fast check.
      expect((await postResult(baseUrl, tenant, seedEvent(), { prefer: 'respond-async' })).status).to.equal(202);

      postgres.hang();
      const sent = postgres.bytesFromClients;
      const replying = postResult(baseUrl, tenant, seedEvent({ provider_activity_id: 'ext-reset' }), { prefer: 'respond-async' });
      await waitFor('the fast check to reach PostgreSQL', async () => postgres.bytesFromClients > sent);
      postgres.reset();
      const reply = await replying;
      expect(reply.status, JSON.stringify(reply.body)).to.equal(202);

      stack = await startStack({ prefix });
      await eventually(async () => ((await count('activity_results')) === 2 ? true : undefined));
    } finally {
      expect((await web.stop()).code).to.equal(0);
      await postgres.stop();
    }
  });
});
