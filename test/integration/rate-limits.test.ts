import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Tenant } from '../../models';
import { workerConnection } from '../../workers/redis';
import { TcpProxy } from '../../harness/tcp-proxy';
import { TenantRateLimiter } from '../../server/tenant-rate-limiter';
import { adminJson } from '../support/admin-cli';
import { REDIS_URL } from '../support/env';
import { createTenant, seedEvent, type TestTenant } from '../support/fixtures';
import { postResult, request, type Reply } from '../support/http';
import { startStack, type Stack } from '../support/stack';
import { waitFor } from '../support/wait';

/** An authenticated request that needs neither a worker nor Redis: a result that does not exist (404). */
const lookUp = (stack: Stack, tenant: TestTenant) => request(stack.baseUrl, 'GET', `/api/activity-results/${randomUUID()}`, { tenant });

const statuses = (replies: Reply[]) => replies.map((r) => r.status).sort();

async function limitKeys(prefix: string): Promise<string[]> {
  const redis = workerConnection(REDIS_URL);
  try {
    return (await redis.keys(`${prefix}:rate-limit:*`)).sort();
  } finally {
    redis.disconnect();
  }
}

/** The names of the commands a connection sends from now on. */
function commandsSent(redis: ReturnType<typeof workerConnection>): string[] {
  const sent: string[] = [];
  const send: typeof redis.sendCommand = redis.sendCommand.bind(redis);
  redis.sendCommand = (command: Parameters<typeof send>[0], stream?: Parameters<typeof send>[1]) => {
    sent.push(command.name);
    return send(command, stream);
  };
  return sent;
}

describe('per-tenant rate limits', () => {
  let stack: Stack;
  let limited: TestTenant;
  let other: TestTenant;
  const stacks: Stack[] = [];

  beforeEach(async () => {
    stack = await startStack({ workers: false });
    stacks.push(stack);
    limited = await createTenant();
    other = await createTenant();
  });
  afterEach(async () => {
    await Promise.all(stacks.splice(0).map((s) => s.close()));
  });

  it("answers 429 RATE_LIMITED with Retry-After past a tenant's own limit, while another tenant goes on", async () => {
    expect(await adminJson('tenant:limit', '--id', limited.tenantId, '--rps', '2', '--burst', '4')).to.deep.equal({
      id: limited.tenantId,
      rateLimit: { rps: 2, burst: 4 },
    });

    const [mine, theirs] = await Promise.all([
      Promise.all(Array.from({ length: 8 }, () => lookUp(stack, limited))),
      Promise.all(Array.from({ length: 8 }, () => lookUp(stack, other))),
    ]);
    expect(statuses(mine)).to.deep.equal([404, 404, 404, 404, 429, 429, 429, 429]);
    expect(statuses(theirs)).to.deep.equal(Array(8).fill(404));

    const refused = mine.find((r) => r.status === 429)!;
    expect(refused.body).to.include({ statusCode: 429, error: 'Too Many Requests', code: 'RATE_LIMITED' });
    expect(refused.body.message).to.match(/4 requests per 2 s/);
    expect(Number(refused.headers.get('retry-after'))).to.be.within(1, 2);
    expect(refused.headers.get('ratelimit-limit')).to.equal('4');
    expect(refused.headers.get('ratelimit-remaining')).to.equal('0');
    // The other tenant is held to the default, 200 requests per 2 s, and has spent 8 of them, each its own.
    expect(theirs.map((r) => Number(r.headers.get('ratelimit-remaining'))).sort((a, b) => a - b)).to.deep.equal([
      192, 193, 194, 195, 196, 197, 198, 199,
    ]);
    expect(await limitKeys(stack.prefix)).to.deep.equal([
      `${stack.prefix}:rate-limit:200-2:${other.tenantId}`,
      `${stack.prefix}:rate-limit:4-2:${limited.tenantId}`,
    ]);
  });

  it('charges the requests of one turn with one Redis call per tenant, each allowed or refused as if alone', async () => {
    const redis = workerConnection(REDIS_URL);
    try {
      const limiter = new TenantRateLimiter(redis, stack.prefix, { rps: 1, burst: 5 });
      await redis.ping();
      const sent = commandsSent(redis);
      const decisions = await Promise.all([
        ...Array.from({ length: 7 }, () => limiter.consume(limited.tenantId, null)),
        limiter.consume(other.tenantId, null, 2),
      ]);
      expect(sent, 'one counter call per tenant').to.have.length(2);
      expect(decisions.map((d) => d && [d.allowed, d.remaining])).to.deep.equal([
        [true, 4],
        [true, 3],
        [true, 2],
        [true, 1],
        [true, 0],
        [false, 0],
        [false, 0],
        [true, 3],
      ]);
      expect(await redis.get(`${stack.prefix}:rate-limit:5-5:${limited.tenantId}`)).to.equal('7');
    } finally {
      redis.disconnect();
    }
  });

  it('carries the RateLimit header fields on every authenticated answer, errors included', async () => {
    const created = await postResult(stack.baseUrl, other, seedEvent(), { prefer: 'respond-async' });
    const invalid = await postResult(stack.baseUrl, other, { status: 'NOPE' });
    const missing = await lookUp(stack, other);
    expect([created.status, invalid.status, missing.status]).to.deep.equal([202, 400, 404]);
    for (const [i, reply] of [created, invalid, missing].entries()) {
      expect(reply.headers.get('ratelimit-limit')).to.equal('200');
      expect(reply.headers.get('ratelimit-remaining')).to.equal(String(199 - i));
      expect(Number(reply.headers.get('ratelimit-reset'))).to.be.within(1, 2);
      expect(reply.headers.get('ratelimit-policy')).to.equal('200;w=2');
    }
    // Not authenticated: no tenant to count for.
    const unknown = await request(stack.baseUrl, 'GET', `/api/activity-results/${randomUUID()}`, {
      headers: { 'x-api-key': 'ark_nobody' },
    });
    expect(unknown.status).to.equal(401);
    expect(unknown.headers.get('ratelimit-limit')).to.equal(null);
  });

  it('counts a request before its body is read: over the limit, a broken body is a 429, not a 400', async () => {
    await adminJson('tenant:limit', '--id', limited.tenantId, '--rps', '1', '--burst', '3');
    expect(statuses(await Promise.all([1, 2, 3].map(() => lookUp(stack, limited))))).to.deep.equal([404, 404, 404]);
    const reply = await request(stack.baseUrl, 'POST', '/api/activity-results/tasks', {
      tenant: limited,
      headers: { 'content-type': 'application/json' },
      rawBody: '{"not json',
    });
    expect(reply.status).to.equal(429);
    expect(reply.body.code).to.equal('RATE_LIMITED');
  });

  it('applies a limit set with the admin CLI within 5 s, no limit with --rps 0, and the default again with --default', async () => {
    const limitNow = async () => (await lookUp(stack, limited)).headers.get('ratelimit-limit');
    expect(await limitNow()).to.equal('200');

    await adminJson('tenant:limit', '--id', limited.tenantId, '--rps', '5');
    expect(await Tenant.findByPk(limited.tenantId, { raw: true })).to.include({ rateLimitRps: 5, rateLimitBurst: 10 });
    await waitFor('the new limit', async () => (await limitNow()) === '10', 5_000);

    await adminJson('tenant:limit', '--id', limited.tenantId, '--rps', '0');
    await waitFor('no limit', async () => (await limitNow()) === null, 5_000);

    expect(await adminJson('tenant:limit', '--id', limited.tenantId, '--default')).to.deep.equal({ id: limited.tenantId, rateLimit: null });
    expect(await Tenant.findByPk(limited.tenantId, { raw: true })).to.include({ rateLimitRps: null, rateLimitBurst: null });
    await waitFor('the default limit', async () => (await limitNow()) === '200', 5_000);
  });

  it('keeps its counters under the queue prefix: two deployments on one Redis count apart', async () => {
    await adminJson('tenant:limit', '--id', limited.tenantId, '--rps', '1', '--burst', '3');
    const neighbour = await startStack({ workers: false });
    stacks.push(neighbour);
    expect(statuses(await Promise.all([1, 2, 3, 4].map(() => lookUp(stack, limited))))).to.deep.equal([404, 404, 404, 429]);
    expect(statuses(await Promise.all([1, 2, 3].map(() => lookUp(neighbour, limited))))).to.deep.equal([404, 404, 404]);
    expect(await limitKeys(stack.prefix)).to.deep.equal([`${stack.prefix}:rate-limit:3-3:${limited.tenantId}`]);
    expect(await limitKeys(neighbour.prefix)).to.deep.equal([`${neighbour.prefix}:rate-limit:3-3:${limited.tenantId}`]);
  });

  it('keeps answering while Redis is unreachable, counting in the process meanwhile', async () => {
    const redis = await new TcpProxy(6379).start();
    try {
      const cutOff = await startStack({ workers: false, redisUrl: redis.url('redis') });
      stacks.push(cutOff);
      await adminJson('tenant:limit', '--id', limited.tenantId, '--rps', '1', '--burst', '3');
      expect((await lookUp(cutOff, limited)).status).to.equal(404);
      await redis.stop();

      const started = Date.now();
      const replies = await Promise.all([1, 2, 3, 4].map(() => lookUp(cutOff, limited)));
      expect(Date.now() - started, 'a dead Redis must not hold requests').to.be.lessThan(1_000);
      expect(statuses(replies)).to.deep.equal([404, 404, 404, 429]);
      expect(replies.every((r) => r.headers.get('ratelimit-limit') === '3')).to.equal(true);
    } finally {
      await redis.stop();
    }
  });
});
