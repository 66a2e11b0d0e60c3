import { expect } from 'chai';
import { count } from '../support/db';
import { seedEvent, type TestTenant } from '../support/fixtures';
import { rawRequest, request } from '../support/http';
import { startStackWithTenant, type Stack } from '../support/stack';
import { TaskResultType } from '../../models';

const longString = (n: number) => 'x'.repeat(n);
const nested = (depth: number): unknown => (depth === 0 ? {} : { a: nested(depth - 1) });

// Each case: the body change, and the path the 400 must name.
const invalid: Array<[string, Record<string, unknown>, string]> = [
  ['neither activity_id nor provider_activity_id', { provider_activity_id: undefined }, ''],
  ['activity_id that is not a uuid', { activity_id: 'abc' }, 'activity_id'],
  ['empty provider_activity_id', { provider_activity_id: '' }, 'provider_activity_id'],
  ['provider_activity_id over 255', { provider_activity_id: longString(256) }, 'provider_activity_id'],
  ['missing commerce_external_id', { commerce_external_id: undefined }, 'commerce_external_id'],
  ['commerce_external_id over 255', { commerce_external_id: longString(256) }, 'commerce_external_id'],
  ['missing occurred_at', { occurred_at: undefined }, 'occurred_at'],
  ['occurred_at that is not a date', { occurred_at: 'yesterday' }, 'occurred_at'],
  ['occurred_at without a zone', { occurred_at: '2025-01-16T14:30:00' }, 'occurred_at'],
  ['occurred_at far in the future', { occurred_at: '2999-01-01T00:00:00Z' }, 'occurred_at'],
  ['missing status', { status: undefined }, 'status'],
  ['an unknown status', { status: 'DONE' }, 'status'],
  ['external_status over 255', { external_status: longString(256) }, 'external_status'],
  ['hard_override that is not a boolean', { hard_override: 'yes' }, 'hard_override'],
  ['raw_payload that is not an object', { raw_payload: [1, 2] }, 'raw_payload'],
  ['raw_payload nested too deep', { raw_payload: nested(40) }, 'raw_payload'],
  ['missing task_result', { task_result: undefined }, 'task_result'],
  ['missing task_result.result', { task_result: { comment: 'x' } }, 'task_result.result'],
  ['task_result.result over 100', { task_result: { result: longString(101) } }, 'task_result.result'],
  ['task_result.comment over 5000', { task_result: { result: 'ok', comment: longString(5001) } }, 'task_result.comment'],
  ['an unknown contact_type', { task_result: { result: 'ok', contact_type: 'EMAIL' } }, 'task_result.contact_type'],
  [
    'operator_external_id over 255',
    { task_result: { result: 'ok', operator_external_id: longString(256) } },
    'task_result.operator_external_id',
  ],
  [
    'future_scheduled_at before occurred_at',
    { task_result: { result: 'ok', future_scheduled_at: '2025-01-16T14:00:00Z' } },
    'task_result.future_scheduled_at',
  ],
  ['task_result.payload that is not an object', { task_result: { result: 'ok', payload: 'x' } }, 'task_result.payload'],
  ['an unknown top-level field (a typo)', { ocurred_at: '2025-01-16T14:30:00Z' }, 'ocurred_at'],
  ['an unknown task_result field', { task_result: { result: 'ok', commment: 'x' } }, 'task_result.commment'],
  ['a string where a number-free string is expected', { commerce_external_id: 42 }, 'commerce_external_id'],
  ['occurred_at in year 0000, which PostgreSQL cannot store', { occurred_at: '0000-01-01T00:00:00Z' }, 'occurred_at'],
  ['occurred_at in year 0001 at +00:01, which PostgreSQL cannot store', { occurred_at: '0001-01-01T00:00:00+00:01' }, 'occurred_at'],
  ['occurred_at on February 31', { occurred_at: '2025-02-31T10:00:00Z' }, 'occurred_at'],
  ['occurred_at at 24:00', { occurred_at: '2025-01-16T24:00:00Z' }, 'occurred_at'],
  ['occurred_at before 1970', { occurred_at: '1969-12-31T23:59:59Z' }, 'occurred_at'],
  [
    'future_scheduled_at past year 9999',
    { task_result: { result: 'ok', future_scheduled_at: '9999-12-31T23:00:00-05:00' } },
    'task_result.future_scheduled_at',
  ],
  ['a top-level __proto__', JSON.parse('{"__proto__": {"status": "PENDING"}}'), '__proto__'],
  ['constructor in task_result', { task_result: { result: 'ok', constructor: 1 } }, 'task_result.constructor'],
];

describe('validation of POST /api/activity-results/tasks', () => {
  let stack: Stack;
  let tenant: TestTenant;

  beforeEach(async () => ({ stack, tenant } = await startStackWithTenant()));
  afterEach(() => stack.close());

  const post = (body: unknown) => request(stack.baseUrl, 'POST', '/api/activity-results/tasks', { tenant, body });

  for (const [name, change, path] of invalid) {
    it(`answers 400 for ${name}`, async () => {
      const reply = await post(seedEvent(change));
      expect(reply.status).to.equal(400);
      expect(reply.body.code).to.equal('VALIDATION_FAILED');
      expect(reply.body.details.map((d: { path: string }) => d.path)).to.include(path);
      expect(await count('activity_results')).to.equal(0);
    });
  }

  it('reports every violation at once', async () => {
    const reply = await post({ occurred_at: 'nope', status: 'DONE', task_result: {}, extra: 1 });
    const paths = reply.body.details.map((d: { path: string }) => d.path);
    expect(paths).to.include.members(['commerce_external_id', 'occurred_at', 'status', 'task_result.result', 'extra']);
  });

  it('accepts nulls for optional fields as absent', async () => {
    const reply = await post(seedEvent({ external_status: null, task_result: { result: 'ok', comment: null, payload: null } }));
    expect(reply.status).to.equal(201);
  });

  it('answers 400 for malformed JSON and for a JSON body that is not an object', async () => {
    const malformed = await request(stack.baseUrl, 'POST', '/api/activity-results/tasks', {
      tenant,
      rawBody: '{"status": "COMPLETED",',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).to.equal(400);
    expect(malformed.body.code).to.equal('VALIDATION_FAILED');
    expect((await post([1, 2])).status).to.equal(400);
    expect((await post('text')).status).to.equal(400);
  });

  it('answers a 4xx for a JSON request without any body', async () => {
    // No Content-Length and no Transfer-Encoding: the body parser leaves the body undefined.
    for (const path of ['/api/activity-results/tasks', '/api/activities/tasks']) {
      const head = `POST ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nx-api-key: ${tenant.key}\r\n\r\n`;
      expect(await rawRequest(stack.baseUrl, head), path).to.be.within(400, 499);
    }
  });

  it('answers 415 for a body that is not JSON and 413 for one over 1 MB', async () => {
    const form = await request(stack.baseUrl, 'POST', '/api/activity-results/tasks', {
      tenant,
      rawBody: 'a=b',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).to.equal(415);
    expect(form.body.code).to.equal('UNSUPPORTED_MEDIA_TYPE');
    const huge = await post(seedEvent({ raw_payload: { blob: longString(1_100_000) } }));
    expect(huge.status).to.equal(413);
    expect(huge.body.code).to.equal('PAYLOAD_TOO_LARGE');
    expect(await count('activity_results')).to.equal(0);
  });

  it('answers 400, not 500, for a body that does not decompress and a path that is not percent-encoding', async () => {
    for (const encoding of ['gzip', 'deflate', 'br']) {
      const reply = await request(stack.baseUrl, 'POST', '/api/activity-results/tasks', {
        tenant,
        rawBody: 'not compressed at all',
        headers: { 'content-type': 'application/json', 'content-encoding': encoding },
      });
      expect(reply.status, encoding).to.equal(400);
      expect(reply.body.code).to.equal('VALIDATION_FAILED');
    }
    for (const path of ['/api/activity-results/%E0%A4%A', '/api/activity-results/jobs/%ZZ', '/api/activities/%']) {
      const reply = await request(stack.baseUrl, 'GET', path, { tenant });
      expect(reply.status, path).to.equal(400);
      expect(reply.body.code).to.equal('VALIDATION_FAILED');
    }
  });

  it('answers a body of 100,000 unknown fields with a short 400 that names the first and counts the rest', async () => {
    const wide = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [i.toString(36), 1]));
    for (const path of ['/api/activity-results/tasks', '/api/activities/tasks']) {
      const reply = await request(stack.baseUrl, 'POST', path, { tenant, body: { ...seedEvent(), ...wide } });
      expect(reply.status, path).to.equal(400);
      expect(JSON.stringify(reply.body).length, path).to.be.below(2_000);
      expect(reply.body.details, path).to.deep.equal([{ path: '', message: 'an object in the body has more than 1000 fields' }]);
    }
    const some = Object.fromEntries(Array.from({ length: 900 }, (_, i) => [`k${i}`, 1]));
    const reply = await post({ ...seedEvent(), ...some });
    expect(reply.body.details).to.have.length(21);
    expect(reply.body.details.map((d: { message: string }) => d.message)).to.include('880 more fields are not allowed');
    expect(await count('activity_results')).to.equal(0);
  });

  it('answers 400, not 500, for a new activity scheduled where PostgreSQL cannot store it', async () => {
    for (const scheduledAt of ['0000-01-01T00:00:00Z', '2025-02-30T00:00:00Z']) {
      const reply = await request(stack.baseUrl, 'POST', '/api/activities/tasks', {
        tenant,
        body: { commerce_external_id: 'store-001', scheduled_at: scheduledAt },
      });
      expect(reply.status, scheduledAt).to.equal(400);
      expect(reply.body.details.map((d: { path: string }) => d.path)).to.deep.equal(['scheduled_at']);
    }
    expect(await count('activities')).to.equal(0);
  });

  it('answers 400 for an Idempotency-Key over 255 characters', async () => {
    const reply = await request(stack.baseUrl, 'POST', '/api/activity-results/tasks', {
      tenant,
      body: seedEvent(),
      headers: { 'idempotency-key': longString(256) },
    });
    expect(reply.status).to.equal(400);
  });

  it("applies the tenant's result types: unknown codes and a missing required follow-up date are 400", async () => {
    await TaskResultType.bulkCreate([
      { tenantId: tenant.tenantId, code: 'success', label: 'Sold' },
      { tenantId: tenant.tenantId, code: 'call_back', label: 'Call back', requiresFutureScheduledAt: true },
    ]);
    const unknown = await post(seedEvent({ task_result: { result: 'not_home' } }));
    expect(unknown.status).to.equal(400);
    expect(unknown.body.details[0]).to.deep.include({ path: 'task_result.result' });
    expect(unknown.body.message).to.match(/not_home/);
    const missingDate = await post(seedEvent({ task_result: { result: 'call_back' } }));
    expect(missingDate.status).to.equal(400);
    expect(missingDate.body.details[0].path).to.equal('task_result.future_scheduled_at');
    const ok = await post(seedEvent({ task_result: { result: 'call_back', future_scheduled_at: '2025-01-20T10:00:00Z' } }));
    expect(ok.status).to.equal(201);
    expect(ok.body.taskDetails.futureScheduledAt).to.equal('2025-01-20T10:00:00.000Z');
  });

  it('never answers with a stack trace, whatever the input', async () => {
    const hostile = [
      seedEvent({ provider_activity_id: "'; DROP TABLE activity_results; --" }),
      seedEvent({ commerce_external_id: '<script>alert(1)</script>' }),
      seedEvent({ provider_activity_id: '\u0000\uFFFF\uD83D\uDE00' }),
      seedEvent({ raw_payload: { __proto__: { polluted: true }, constructor: { prototype: {} } } }),
    ];
    for (const body of hostile) {
      const reply = await post(body);
      expect(reply.status).to.be.lessThan(500);
      expect(JSON.stringify(reply.body)).to.not.match(/\bat .*\.js:\d+/);
    }
  });
});
