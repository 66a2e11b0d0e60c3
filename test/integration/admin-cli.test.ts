import { expect } from 'chai';
import { ApiKey, FollowUp, TaskResultType, Tenant } from '../../models';
import { admin } from '../support/admin-cli';
import { seedEvent, type TestTenant } from '../support/fixtures';
import { postResult, request } from '../support/http';
import { startStack, startStackWithTenant, type Stack } from '../support/stack';

describe('admin CLI: result-type:add', () => {
  let stack: Stack;
  let tenant: TestTenant;

  beforeEach(async () => ({ stack, tenant } = await startStackWithTenant()));
  afterEach(() => stack.close());

  it('adds result types that the API then enforces, follow-up date included', async () => {
    const sold = await admin('result-type:add', '--tenant', tenant.tenantId, '--code', 'sold', '--label', 'Sold', '--json');
    expect(sold.code, sold.stderr).to.equal(0);
    expect(JSON.parse(sold.stdout)).to.deep.equal({
      tenantId: tenant.tenantId,
      code: 'sold',
      label: 'Sold',
      requiresFutureScheduledAt: false,
      updated: false,
    });
    const callBack = await admin(
      'result-type:add',
      '--tenant',
      tenant.tenantId,
      '--code',
      'call_back',
      '--label',
      'Call back',
      '--requires-future-scheduled-at',
    );
    expect(callBack.stdout).to.match(/result type call_back/);

    const unknown = await postResult(stack.baseUrl, tenant, seedEvent({ task_result: { result: 'success' } }));
    expect(unknown.status).to.equal(400);
    expect(unknown.body.code).to.equal('VALIDATION_FAILED');
    expect(unknown.body.message).to.match(/"success" is not a result type of this tenant \(one of: (sold, call_back|call_back, sold)\)/);

    const missingDate = await postResult(stack.baseUrl, tenant, seedEvent({ task_result: { result: 'call_back' } }));
    expect(missingDate.status).to.equal(400);
    expect(missingDate.body.details).to.deep.equal([
      { path: 'task_result.future_scheduled_at', message: 'result "call_back" requires future_scheduled_at' },
    ]);
    expect(await FollowUp.count()).to.equal(0);

    const ok = await postResult(
      stack.baseUrl,
      tenant,
      seedEvent({ task_result: { result: 'call_back', future_scheduled_at: '2025-01-20T10:00:00Z' } }),
    );
    expect(ok.status).to.equal(201);
    expect(await FollowUp.count({ where: { resultId: ok.body.id } })).to.equal(1);
  });

  it('updates a result type added again with the same code', async () => {
    await admin('result-type:add', '--tenant', tenant.tenantId, '--code', 'call_back', '--label', 'Call back');
    await admin(
      'result-type:add',
      '--tenant',
      tenant.tenantId,
      '--code',
      'call_back',
      '--label',
      'Call us',
      '--requires-future-scheduled-at',
    );
    const types = await TaskResultType.findAll({ where: { tenantId: tenant.tenantId } });
    expect(types.map((t) => [t.code, t.label, t.requiresFutureScheduledAt])).to.deep.equal([['call_back', 'Call us', true]]);
  });

  it('refuses an unknown tenant and a missing option with a usage message', async () => {
    const noTenant = await admin('result-type:add', '--tenant', '00000000-0000-4000-8000-000000000000', '--code', 'x', '--label', 'X');
    expect(noTenant.code).to.equal(64);
    expect(noTenant.stderr).to.match(/no tenant 00000000-0000-4000-8000-000000000000/);
    const noLabel = await admin('result-type:add', '--tenant', tenant.tenantId, '--code', 'x');
    expect(noLabel.code).to.equal(64);
    expect(noLabel.stderr).to.match(/--label is required/);
    expect(await TaskResultType.count()).to.equal(0);
  });
});

describe('admin CLI: tenants and API keys', () => {
  let stack: Stack;

  beforeEach(async () => {
    stack = await startStack();
  });
  afterEach(() => stack.close());

  const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!);

  it('creates a tenant and a key that works at once, stored only as a hash, and revokes it', async () => {
    const tenant = await admin('tenant:create', '--name', 'Acme', '--json');
    expect(tenant.code, tenant.stderr).to.equal(0);
    const { id: tenantId, name } = lastJson(tenant.stdout);
    expect(name).to.equal('Acme');
    expect(await Tenant.findByPk(tenantId)).to.not.equal(null);

    const created = await admin('api-key:create', '--tenant', tenantId, '--name', 'crm', '--permissions', 'CREATE_ACTIVITY', '--json');
    expect(created.code, created.stderr).to.equal(0);
    const key = lastJson(created.stdout);
    expect(Object.keys(key)).to.include.members(['id', 'key', 'prefix', 'tenantId', 'permissions']);
    expect(key).to.include({ tenantId });
    expect(key.permissions).to.deep.equal(['CREATE_ACTIVITY']);
    expect(key.key.startsWith(key.prefix)).to.equal(true);
    const row = await ApiKey.findByPk(key.id);
    expect(row?.keyHash).to.match(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row?.toJSON())).to.not.include(key.key);

    const bearer = { authorization: `Bearer ${key.key}`, 'x-tenant-id': tenantId };
    const accepted = await request(stack.baseUrl, 'POST', '/api/activity-results/tasks', { headers: bearer, body: seedEvent() });
    expect(accepted.status).to.equal(201);

    const revoked = await admin('api-key:revoke', '--id', key.id, '--json');
    expect(revoked.code, revoked.stderr).to.equal(0);
    await new Promise((r) => setTimeout(r, 300)); // the test stack caches keys for 200 ms
    const refused = await request(stack.baseUrl, 'POST', '/api/activity-results/tasks', { headers: bearer, body: seedEvent() });
    expect(refused.status).to.equal(401);
  });

  it('refuses bad arguments with a usage message and writes nothing', async () => {
    for (const args of [
      ['tenant:create'],
      ['api-key:create', '--tenant', 'nope', '--name', 'x'],
      ['api-key:create', '--tenant', '0b9a3f9e-8d1c-4f7e-9a41-3c2b1d0e5f6a', '--name', 'x', '--permissions', 'ROOT'],
      ['no:such-command'],
    ]) {
      const run = await admin(...args);
      expect(run.code, args.join(' ')).to.not.equal(0);
      expect(run.stderr, args.join(' ')).to.match(/usage|required|uuid|permissions|no tenant/);
    }
    expect(await Tenant.count()).to.equal(0);
  });
});
