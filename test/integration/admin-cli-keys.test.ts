// The admin CLI's tenant and key listings, key rotation, and what it says when it cannot run.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ApiKey } from '../../models';
import { admin, adminJson, adminWith, run } from '../support/admin-cli';
import { TEST_DATABASE_URL } from '../support/env';
import { seedEvent } from '../support/fixtures';
import { request } from '../support/http';
import { startStack, type Stack } from '../support/stack';
import { waitFor } from '../support/wait';

const lastLine = (stdout: string) => stdout.trim().split('\n').pop()!;

describe('admin CLI: listing tenants and keys, rotating keys', function () {
  // Each command is a process of its own; several make a test, and the machine may be busy.
  this.timeout(90_000);
  let stack: Stack;

  before(async () => {
    stack = await startStack();
  });
  after(() => stack.close());

  async function tenantWithKey(name = 'Acme') {
    const tenant = await adminJson('tenant:create', '--name', name);
    const key = await adminJson(
      'api-key:create',
      '--tenant',
      tenant.id,
      '--name',
      'crm',
      '--permissions',
      'CREATE_ACTIVITY,VIEW_ACTIVITIES',
    );
    return { tenant, key };
  }

  const works = async (key: string) => (await request(stack.baseUrl, 'GET', '/api/activities', { headers: { 'x-api-key': key } })).status;

  it('lists tenants', async () => {
    const { tenant: a } = await tenantWithKey('Acme');
    const { tenant: b } = await tenantWithKey('Globex');
    await admin('tenant:limit', '--id', b.id, '--rps', '5');
    const listed = await adminJson('tenant:list');
    expect(listed.items.map((t: any) => [t.id, t.name, t.active, t.rateLimit])).to.deep.equal([
      [a.id, 'Acme', true, null],
      [b.id, 'Globex', true, { rps: 5, burst: 10 }],
    ]);
    const text = await admin('tenant:list');
    expect(text.stdout).to.match(/^ID\s+NAME\s+ACTIVE\s+RATE LIMIT\s+CREATED/);
    expect(text.stdout).to.include('Globex').and.include('5/s, burst 10');
  });

  it('prints a new key alone on the last line, and warns of an expiry in the past', async () => {
    const tenant = await adminJson('tenant:create', '--name', 'Acme');
    const created = await admin('api-key:create', '--tenant', tenant.id, '--name', 'crm');
    expect(created.code, created.stderr).to.equal(0);
    const key = lastLine(created.stdout);
    expect(key).to.match(/^ark_[A-Za-z0-9_-]+$/);
    expect(await works(key)).to.equal(200);
    expect(created.stderr).to.equal('');

    const expired = await admin('api-key:create', '--tenant', tenant.id, '--name', 'old', '--expires', '2020-01-01T00:00:00Z');
    expect(expired.code).to.equal(0);
    expect(expired.stderr).to.match(/warning: --expires 2020-01-01T00:00:00.000Z is in the past/);
    expect(await works(lastLine(expired.stdout))).to.equal(401);
  });

  it("lists a tenant's keys without the key or its hash", async () => {
    const { tenant, key } = await tenantWithKey();
    const other = await tenantWithKey('Other');
    expect(await works(key.key)).to.equal(200);
    await admin('api-key:revoke', '--id', key.id);
    const listed = await adminJson('api-key:list', '--tenant', tenant.id);
    expect(listed.items).to.have.length(1);
    const [item] = listed.items;
    expect(Object.keys(item)).to.have.members(['id', 'name', 'prefix', 'permissions', 'createdAt', 'expiresAt', 'lastUsedAt', 'revokedAt']);
    expect(item).to.include({ id: key.id, name: 'crm', prefix: key.prefix, expiresAt: null });
    expect(item.revokedAt).to.be.a('string');
    const text = await admin('api-key:list', '--tenant', tenant.id);
    expect(text.stdout).to.match(/ID\s+NAME\s+PREFIX\s+PERMISSIONS\s+CREATED\s+EXPIRES\s+LAST USED\s+REVOKED/);
    const row = (await ApiKey.findByPk(key.id))!;
    for (const out of [text.stdout, JSON.stringify(listed)]) expect(out).to.not.include(key.key).and.not.include(row.keyHash);
    expect(JSON.stringify(listed)).to.not.include(other.key.id);
  });

  it('rotates a key: same tenant, name and permissions; the old one works through the grace period', async () => {
    const { tenant, key } = await tenantWithKey();
    const before = Date.now();
    const rotated = await admin('api-key:rotate', '--id', key.id);
    expect(rotated.code, rotated.stderr).to.equal(0);
    const newKey = lastLine(rotated.stdout);
    expect(rotated.stdout).to.match(/the old key works until/);
    expect(await works(newKey)).to.equal(200);
    expect(await works(key.key)).to.equal(200);
    const [oldRow, newRow] = await Promise.all([ApiKey.findByPk(key.id), ApiKey.findOne({ where: { prefix: newKey.slice(0, 12) } })]);
    expect(newRow).to.include({ tenantId: tenant.id, name: 'crm', expiresAt: null, revokedAt: null });
    expect(newRow!.permissions).to.deep.equal(oldRow!.permissions);
    const graceEnd = oldRow!.expiresAt!.getTime() - before;
    expect(graceEnd).to.be.within(24 * 3_600_000 - 60_000, 24 * 3_600_000 + 60_000);

    const short = await adminJson('api-key:rotate', '--id', newRow!.id, '--grace', '1s');
    expect(short.replaces).to.include({ id: newRow!.id, revokedAt: null });
    expect(await works(short.key)).to.equal(200);
    await waitFor('the rotated key to expire', async () => (await works(newKey)) === 401, 10_000);

    const now = await adminJson('api-key:rotate', '--id', short.id, '--grace', '0');
    expect(now.replaces.revokedAt).to.be.a('string');
    await waitFor('the old key to be refused', async () => (await works(short.key)) === 401);
    expect(await works(now.key)).to.equal(200);
    const accepted = await request(stack.baseUrl, 'POST', '/api/activity-results/tasks', {
      headers: { 'x-api-key': now.key },
      body: seedEvent(),
    });
    expect(accepted.status).to.equal(201);

    const again = await admin('api-key:rotate', '--id', short.id);
    expect(again.code).to.equal(64);
    expect(again.stderr).to.match(/is revoked/);
    const badGrace = await admin('api-key:rotate', '--id', now.id, '--grace', 'soon');
    expect(badGrace.code).to.equal(64);
    expect(badGrace.stderr).to.match(/--grace must be a duration/);
    expect(await ApiKey.count({ where: { tenantId: tenant.id } })).to.equal(4);
  });
});

describe('admin CLI: when it cannot run', function () {
  // Each command is a process of its own; several make a test, and the machine may be busy.
  this.timeout(90_000);
  it('says in one line to build first, instead of a stack trace', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'admin-unbuilt-'));
    try {
      copyFileSync(path.join(__dirname, '../../../package.json'), path.join(dir, 'package.json'));
      const ran = await run('npm', ['run', 'admin', '--', 'tenant:list'], {}, dir);
      expect(ran.code).to.not.equal(0);
      expect(ran.stderr).to.include('admin: not built yet: run npm run build first');
      expect(ran.stderr).to.not.match(/^\s+at /m); // no stack trace
      const quiet = await run('npm', ['run', '--silent', 'admin', '--', 'tenant:list'], {}, dir);
      expect(quiet.stderr.trim()).to.equal('admin: not built yet: run npm run build first');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says in one line to migrate when the database does not exist', async () => {
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = '/activity_results_no_such_database';
    const ran = await adminWith({ DATABASE_URL: url.toString() }, 'tenant:list');
    expect(ran.code).to.equal(69);
    expect(ran.stderr.trim().split('\n')).to.have.length(1);
    expect(ran.stderr).to.match(/the database .*activity_results_no_such_database does not exist: run npm run migrate/);
  });
});
