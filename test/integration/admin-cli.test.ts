import { expect } from 'chai';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { FollowUp, TaskResultType } from '../../models';
import { TEST_DATABASE_URL } from '../support/env';
import { createTenant, seedEvent, type TestTenant } from '../support/fixtures';
import { postResult } from '../support/http';
import { startStack, type Stack } from '../support/stack';

const ADMIN = path.join(__dirname, '../../cli/admin.js');

/** Runs the admin CLI as an operator would, against the test database. */
async function admin(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [ADMIN, ...args], {
      env: { ...process.env, DATABASE_URL: TEST_DATABASE_URL, LOG_LEVEL: 'silent' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('admin CLI: result-type:add', () => {
  let stack: Stack;
  let tenant: TestTenant;

  beforeEach(async () => {
    stack = await startStack();
    tenant = await createTenant();
  });
  afterEach(() => stack.close());

  it('adds result types that the API then enforces, follow-up date included', async () => {
    const sold = await admin('result-type:add', '--tenant', tenant.tenantId, '--code', 'sold', '--label', 'Sold', '--json');
    expect(sold.code, sold.stderr).to.equal(0);
    expect(JSON.parse(sold.stdout)).to.deep.equal({ tenantId: tenant.tenantId, code: 'sold', label: 'Sold', requiresFutureScheduledAt: false });
    const callBack = await admin('result-type:add', '--tenant', tenant.tenantId, '--code', 'call_back', '--label', 'Call back', '--requires-future-scheduled-at');
    expect(callBack.stdout).to.match(/result type call_back/);

    const unknown = await postResult(stack.baseUrl, tenant, seedEvent({ task_result: { result: 'success' } }));
    expect(unknown.status).to.equal(400);
    expect(unknown.body.code).to.equal('VALIDATION_FAILED');
    expect(unknown.body.message).to.match(/"success" is not a result type of this tenant \(one of: (sold, call_back|call_back, sold)\)/);

    const missingDate = await postResult(stack.baseUrl, tenant, seedEvent({ task_result: { result: 'call_back' } }));
    expect(missingDate.status).to.equal(400);
    expect(missingDate.body.details).to.deep.equal([{ path: 'task_result.future_scheduled_at', message: 'result "call_back" requires future_scheduled_at' }]);
    expect(await FollowUp.count()).to.equal(0);

    const ok = await postResult(stack.baseUrl, tenant, seedEvent({ task_result: { result: 'call_back', future_scheduled_at: '2025-01-20T10:00:00Z' } }));
    expect(ok.status).to.equal(201);
    expect(await FollowUp.count({ where: { resultId: ok.body.id } })).to.equal(1);
  });

  it('updates a result type added again with the same code', async () => {
    await admin('result-type:add', '--tenant', tenant.tenantId, '--code', 'call_back', '--label', 'Call back');
    await admin('result-type:add', '--tenant', tenant.tenantId, '--code', 'call_back', '--label', 'Call us', '--requires-future-scheduled-at');
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
