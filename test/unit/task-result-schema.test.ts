import { expect } from 'chai';
import { DomainError } from '../../domain/errors';
import { parseTaskResult } from '../../domain/schemas/task-result';
import { parseNewActivity } from '../../server/schemas/activity';
import { eventFingerprint } from '../../domain/task-result-event';
import { taskResultJobId, tenantOfJobId } from '../../domain/jobs';

const rules = { now: new Date('2025-01-16T15:00:00Z'), maxClockSkewMs: 300_000 };
const body = {
  provider_activity_id: 'ext-123',
  commerce_external_id: 'store-001',
  status: 'COMPLETED',
  occurred_at: '2025-01-16T15:30:00+01:00',
  task_result: { result: 'success' },
};

/** The violations parseTaskResult reports for a body; none when it passes. */
function violations(b: unknown): { path: string; message: string }[] {
  try {
    parseTaskResult(b, rules);
    return [];
  } catch (error) {
    return (error as { details?: { path: string; message: string }[] }).details ?? [];
  }
}

describe('task result schema and fingerprints', () => {
  it('normalizes dates to UTC and defaults hard_override', () => {
    const event = parseTaskResult(body, rules);
    expect(event.occurred_at).to.equal('2025-01-16T14:30:00.000Z');
    expect(event.hard_override).to.equal(false);
  });

  it('judges occurred_at against the clock it is given', () => {
    expect(() => parseTaskResult({ ...body, occurred_at: '2025-01-16T15:06:00Z' }, rules)).to.throw(/future/);
    expect(() =>
      parseTaskResult({ ...body, occurred_at: '2025-01-16T15:06:00Z' }, { ...rules, now: new Date('2025-01-16T15:02:00Z') }),
    ).not.to.throw();
  });

  it('gives the same fingerprint whatever the key order, date notation or explicit defaults', () => {
    const a = parseTaskResult(body, rules);
    const b = parseTaskResult(
      { hard_override: false, ...body, occurred_at: '2025-01-16T14:30:00Z', task_result: { result: 'success' } },
      rules,
    );
    expect(eventFingerprint(a)).to.equal(eventFingerprint(b));
    const nulls = {
      ...body,
      activity_id: null,
      external_status: null,
      hard_override: null,
      raw_payload: null,
      task_result: { result: 'success', comment: null, payload: null },
    };
    expect(parseTaskResult(nulls, rules)).to.deep.equal(a);
    expect(eventFingerprint(parseTaskResult({ ...body, status: 'PENDING' }, rules))).to.not.equal(eventFingerprint(a));
  });

  it('refuses strings PostgreSQL cannot store: NUL and unpaired surrogates, in values and keys', () => {
    const paths = (b: unknown) => violations(b).map((d) => d.path);
    expect(paths({ ...body, provider_activity_id: 'a\ud800b' })).to.deep.equal(['provider_activity_id']);
    expect(paths({ ...body, external_status: '\udc00' })).to.deep.equal(['external_status']);
    expect(paths({ ...body, task_result: { result: 'ok', comment: '\udc00\ud800' } })).to.deep.equal(['task_result.comment']);
    expect(paths({ ...body, raw_payload: { ['k\ud83d']: 1, nul: 'a\u0000' } })).to.have.members(['raw_payload.k\ud83d', 'raw_payload.nul']);
    // A surrogate pair is one character, astral and fine.
    expect(paths({ ...body, task_result: { result: 'ok', comment: '\ud83d\ude00 \u{1F469}\u200d\u{1F467}' } })).to.deep.equal([]);
  });

  it('refuses a missing body as invalid, not with a TypeError', () => {
    // An aborted request reaches the route with no body at all.
    for (const parse of [() => parseTaskResult(undefined, rules), () => parseNewActivity(undefined)]) {
      expect(parse).to.throw(DomainError).with.property('code', 'VALIDATION_FAILED');
    }
  });

  it('words each violation for its own field, and those about the whole body for the body', () => {
    const { commerce_external_id: _, ...withoutCommerce } = body;
    expect(violations({ ...withoutCommerce, activity_id: 'A1', occurred_at: '2025-01-16T15:30:00', task_result: {} })).to.deep.equal([
      { path: 'activity_id', message: '"activity_id" must be a UUID' },
      { path: 'commerce_external_id', message: '"commerce_external_id" is required' },
      { path: 'occurred_at', message: '"occurred_at" must be an ISO 8601 date-time with a time zone (Z or ±hh:mm)' },
      { path: 'task_result.result', message: '"task_result.result" is required' },
    ]);
    const { provider_activity_id: __, ...withoutKey } = body;
    expect(violations(withoutKey)).to.deep.equal([{ path: '', message: 'one of activity_id or provider_activity_id is required' }]);
    expect(violations(undefined)).to.deep.equal([{ path: '', message: 'a JSON object body is required' }]);
    const deep: Record<string, unknown> = {};
    let node = deep;
    for (let i = 0; i < 40; i++) node = (node.a = {}) as Record<string, unknown>;
    expect(violations({ ...body, raw_payload: deep })).to.deep.equal([
      { path: 'raw_payload', message: '"raw_payload" is nested deeper than 32 levels' },
    ]);
    expect(parseTaskResult({ ...withoutKey, activity_id: 'AAAAAAAA-AAAA-4AAA-8AAA-AAAAAAAAAAAA' }, rules).activity_id).to.equal(
      'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa',
    );
  });

  it("reads an activity's optional fields sent as null as absent", () => {
    expect(
      parseNewActivity({ commerce_external_id: 'store-001', provider_activity_id: null, channel: null, scheduled_at: null }),
    ).to.deep.equal({
      commerce_external_id: 'store-001',
    });
  });

  it('builds job ids without colons that tell their tenant', () => {
    const tenant = '0b9a3f9e-8d1c-4f7e-9a41-3c2b1d0e5f6a';
    const id = taskResultJobId(tenant, 'ab'.repeat(32), 'key:with:colons');
    expect(id).to.not.include(':');
    expect(tenantOfJobId(id)).to.equal(tenant);
    expect(taskResultJobId(tenant, 'ab'.repeat(32))).to.not.equal(id);
    expect(tenantOfJobId('tr-someone-else')).to.equal(undefined);
  });
});
