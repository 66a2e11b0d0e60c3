// result-type:list and result-type:remove, and what result-type:add says: the API enforces a tenant's
// codes from its first result type on, and takes any code again once the last one is removed.
import { expect } from 'chai';
import { admin, adminJson } from '../support/admin-cli';
import { createTenant, minutesAfter, seedEvent, type TestTenant } from '../support/fixtures';
import { postResult } from '../support/http';
import { startStack, type Stack } from '../support/stack';
import { waitFor } from '../support/wait';

describe('admin CLI: listing and removing result types', function () {
  // Each command is a process of its own; several make a test, and the machine may be busy.
  this.timeout(90_000);
  let stack: Stack;
  let tenant: TestTenant;
  let minutes = 0;

  before(async () => {
    stack = await startStack();
  });
  after(() => stack.close());
  beforeEach(async () => {
    tenant = await createTenant();
  });

  /** The status of a fresh event with this result code (each a minute newer, so none is stale). */
  const statusFor = async (code: string) =>
    (
      await postResult(
        stack.baseUrl,
        tenant,
        seedEvent({ status: 'PENDING', occurred_at: minutesAfter('2025-01-16T14:30:00.000Z', ++minutes), task_result: { result: code } }),
      )
    ).status;

  it('says that the first result type turns on checking, and that an existing code was updated', async () => {
    const first = await admin('result-type:add', '--tenant', tenant.tenantId, '--code', 'sold', '--label', 'Sold');
    expect(first.stdout)
      .to.match(/result type sold added/)
      .and.match(/first result type: from now on task_result.result must be one of its codes/);
    const second = await admin('result-type:add', '--tenant', tenant.tenantId, '--code', 'not_home', '--label', 'Not home');
    expect(second.stdout)
      .to.match(/result type not_home added/)
      .and.not.match(/first/);
    const again = await admin(
      'result-type:add',
      '--tenant',
      tenant.tenantId,
      '--code',
      'sold',
      '--label',
      'Sold!',
      '--requires-future-scheduled-at',
    );
    expect(again.stdout).to.match(/result type sold updated/);
    const json = await adminJson('result-type:add', '--tenant', tenant.tenantId, '--code', 'sold', '--label', 'Sold');
    expect(json).to.deep.equal({ tenantId: tenant.tenantId, code: 'sold', label: 'Sold', requiresFutureScheduledAt: false, updated: true });
  });

  it('lists the codes, removes them, and the API follows', async () => {
    const empty = await admin('result-type:list', '--tenant', tenant.tenantId);
    expect(empty.stdout).to.match(/has no result types: any task_result.result is accepted/);
    expect(await statusFor('anything')).to.equal(201);

    await admin('result-type:add', '--tenant', tenant.tenantId, '--code', 'sold', '--label', 'Sold');
    await admin(
      'result-type:add',
      '--tenant',
      tenant.tenantId,
      '--code',
      'call_back',
      '--label',
      'Call back',
      '--requires-future-scheduled-at',
    );
    const listed = await adminJson('result-type:list', '--tenant', tenant.tenantId);
    expect(listed).to.deep.equal({
      tenantId: tenant.tenantId,
      items: [
        { code: 'call_back', label: 'Call back', requiresFutureScheduledAt: true },
        { code: 'sold', label: 'Sold', requiresFutureScheduledAt: false },
      ],
    });
    const text = await admin('result-type:list', '--tenant', tenant.tenantId);
    expect(text.stdout).to.match(/CODE\s+LABEL\s+NEEDS FUTURE_SCHEDULED_AT\ncall_back\s+Call back\s+yes\nsold\s+Sold\s+no/);
    await waitFor('the API to refuse an unknown code', async () => (await statusFor('anything')) === 400);

    const removed = await admin('result-type:remove', '--tenant', tenant.tenantId, '--code', 'sold');
    expect(removed.code, removed.stderr).to.equal(0);
    expect(removed.stdout)
      .to.match(/result type sold removed/)
      .and.not.match(/last/);
    await waitFor('the API to refuse the removed code', async () => (await statusFor('sold')) === 400);
    const last = await adminJson('result-type:remove', '--tenant', tenant.tenantId, '--code', 'call_back');
    expect(last).to.deep.equal({ tenantId: tenant.tenantId, code: 'call_back', removed: true, remaining: 0 });
    await waitFor('the API to take any code again', async () => (await statusFor('anything')) === 200);

    const missing = await admin('result-type:remove', '--tenant', tenant.tenantId, '--code', 'sold');
    expect(missing.code).to.equal(64);
    expect(missing.stderr).to.match(/has no result type sold/);
  });

  it('keeps tenants apart', async () => {
    const other = await createTenant();
    await admin('result-type:add', '--tenant', other.tenantId, '--code', 'theirs', '--label', 'Theirs');
    expect((await adminJson('result-type:list', '--tenant', tenant.tenantId)).items).to.deep.equal([]);
    const remove = await admin('result-type:remove', '--tenant', tenant.tenantId, '--code', 'theirs');
    expect(remove.code).to.equal(64);
    expect((await adminJson('result-type:list', '--tenant', other.tenantId)).items).to.have.length(1);
    const noTenant = await admin('result-type:list', '--tenant', '00000000-0000-4000-8000-000000000000');
    expect(noTenant.stderr).to.match(/no tenant/);
  });
});
