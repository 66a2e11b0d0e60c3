import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Tenant } from '../../models';
import { withDefaultUser } from '../../models/database-url';
import { TcpProxy } from '../../harness/tcp-proxy';
import { admin, adminJson } from '../support/admin-cli';
import { sequelize } from '../support/db';
import { REDIS_URL, TEST_DATABASE_URL } from '../support/env';
import { createTenant, type TestTenant } from '../support/fixtures';
import { request } from '../support/http';
import { spawnEntry } from '../support/processes';
import { deleteKeys, startStack, uniquePrefix, type Stack } from '../support/stack';
import { waitFor } from '../support/wait';

const lookUp = (baseUrl: string, tenant: TestTenant) => request(baseUrl, 'GET', `/api/activity-results/${randomUUID()}`, { tenant });

describe('inactive tenants', () => {
  let stack: Stack;
  let tenant: TestTenant;

  beforeEach(async () => {
    stack = await startStack({ workers: false });
    tenant = await createTenant();
  });
  afterEach(() => stack.close());

  it("refuses an inactive tenant's keys with 403 TENANT_INACTIVE, and takes them again once it is reactivated", async () => {
    expect((await lookUp(stack.baseUrl, tenant)).status).to.equal(404);
    expect(await adminJson('tenant:deactivate', '--id', tenant.tenantId)).to.deep.equal({ id: tenant.tenantId, active: false });
    expect((await Tenant.findByPk(tenant.tenantId))!.active).to.equal(false);

    const refused = await waitFor('the key to be refused', async () => {
      const reply = await lookUp(stack.baseUrl, tenant);
      return reply.status === 403 && reply;
    });
    expect(refused.body).to.include({ statusCode: 403, error: 'Forbidden', code: 'TENANT_INACTIVE' });

    const activated = await admin('tenant:activate', '--id', tenant.tenantId);
    expect(activated.stdout).to.match(/active/);
    await waitFor('the key to work again', async () => (await lookUp(stack.baseUrl, tenant)).status === 404);
  });

  it('refuses bad tenant:limit and tenant:activate arguments with a usage message, changing nothing', async () => {
    const runs = [
      ['tenant:limit', '--id', tenant.tenantId, '--rps', 'fast'],
      ['tenant:limit', '--id', tenant.tenantId, '--rps', '10', '--burst', '5'],
      ['tenant:limit', '--id', tenant.tenantId, '--default', '--rps', '10'],
      ['tenant:limit', '--id', tenant.tenantId],
      ['tenant:limit', '--id', randomUUID(), '--rps', '10'],
      ['tenant:deactivate', '--id', 'nope'],
    ];
    const results = await Promise.all(runs.map((args) => admin(...args)));
    for (const [i, run] of results.entries()) {
      expect(run.code, runs[i].join(' ')).to.equal(64);
      expect(run.stderr, runs[i].join(' ')).to.match(/--rps|--burst|--default|no tenant|uuid/);
    }
    expect(await Tenant.findByPk(tenant.tenantId, { raw: true })).to.include({ active: true, rateLimitRps: null, rateLimitBurst: null });
  });
});

describe('API key lookups that fail', function () {
  this.timeout(30_000);
  let tenant: TestTenant;

  beforeEach(async () => {
    tenant = await createTenant();
  });

  it('answers 503 with Retry-After when PostgreSQL cannot be reached, and a logged 500 without details for anything else', async () => {
    const postgres = await new TcpProxy(5432).start();
    const prefix = uniquePrefix();
    const web = spawnEntry('server/index.js', {
      DATABASE_URL: withDefaultUser(postgres.url('postgres', new URL(TEST_DATABASE_URL).pathname)),
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      PORT: '0',
    });
    try {
      const baseUrl = `http://127.0.0.1:${JSON.parse(await web.waitForLine(/web listening/)).port}`;

      // A column the code expects is missing (a deploy ahead of its migration): a bug, not an outage.
      await sequelize().query('ALTER TABLE api_keys RENAME COLUMN permissions TO permissions_renamed');
      let broken;
      try {
        broken = await lookUp(baseUrl, tenant);
      } finally {
        await sequelize().query('ALTER TABLE api_keys RENAME COLUMN permissions_renamed TO permissions');
      }
      expect(broken.status).to.equal(500);
      expect(broken.headers.get('retry-after')).to.equal(null);
      expect(broken.body).to.deep.equal({
        statusCode: 500,
        error: 'Internal Server Error',
        message: 'internal error',
        code: 'INTERNAL_ERROR',
      });
      expect(JSON.parse(await web.waitForLine(/unhandled error/)).err.message).to.match(/permissions/);

      await postgres.stop();
      const unreachable = await lookUp(baseUrl, tenant);
      expect(unreachable.status).to.equal(503);
      expect(unreachable.body.code).to.equal('SERVICE_UNAVAILABLE');
      expect(unreachable.headers.get('retry-after')).to.match(/^\d+$/);
    } finally {
      await web.stop();
      await postgres.stop();
      await deleteKeys(`${prefix}:*`);
    }
  });
});
