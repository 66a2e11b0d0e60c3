// Bodies a careless or hostile client sends: dates PostgreSQL cannot hold or the calendar does not have,
// numbers a JavaScript number would change, keys named like Object.prototype's, and very wide objects.
import { expect } from 'chai';
import { DomainError } from '../../domain/errors';
import { JsonTooLarge, MAX_OBJECT_FIELDS, canonicalJson, isStorableNumber, parseJsonText } from '../../domain/json-text';
import { parseZonedIsoDate } from '../../domain/schemas/zoned-dates';
import { parseTaskResult } from '../../domain/schemas/task-result';
import { eventFingerprint } from '../../domain/task-result-event';
import { parseNewActivity } from '../../server/schemas/activity';

const rules = { now: new Date('2025-01-16T15:00:00Z'), maxClockSkewMs: 300_000 };
const text = (extra = '', taskExtra = '') =>
  `{"provider_activity_id":"ext-1","commerce_external_id":"store-1","status":"PENDING","occurred_at":"2025-01-16T14:30:00Z"${extra},"task_result":{"result":"ok"${taskExtra}}}`;

function violations(body: unknown): { path: string; message: string }[] {
  try {
    parseTaskResult(body, rules);
    return [];
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return [...(error.details ?? [])];
  }
}

describe('hostile bodies', () => {
  describe('dates', () => {
    it('accepts real dates with a zone from 1970 to 9999, normalized to UTC', () => {
      expect(parseZonedIsoDate('1970-01-01T00:00:00Z')).to.equal(0);
      expect(parseZonedIsoDate('2024-02-29T23:59:59.999+01:00')).to.equal(Date.parse('2024-02-29T22:59:59.999Z'));
      expect(parseZonedIsoDate('9999-12-31T23:59:59Z')).to.equal(Date.parse('9999-12-31T23:59:59Z'));
      expect(parseZonedIsoDate('2025-01-16T14:30+0530')).to.equal(Date.parse('2025-01-16T09:00:00Z'));
      expect(parseZonedIsoDate('2025-01-16T14:30:00.123456789Z')).to.equal(Date.parse('2025-01-16T14:30:00.123Z'));
    });

    it('refuses what the calendar does not have, what PostgreSQL cannot store and what is implausible', () => {
      for (const date of [
        '0000-01-01T00:00:00Z',
        '0001-01-01T00:00:00+00:01',
        '1969-12-31T23:59:59Z',
        '1970-01-01T00:30:00+01:00',
        '9999-12-31T23:00:00-05:00',
        '2025-02-31T10:00:00Z',
        '2025-02-29T10:00:00Z',
        '2025-13-01T00:00:00Z',
        '2025-00-10T00:00:00Z',
        '2025-01-00T00:00:00Z',
        '2025-01-16T24:00:00Z',
        '2025-01-16T23:60:00Z',
        '2025-01-16T23:59:60Z',
        '2025-01-16T12:00:00+15:00',
        '2025-01-16T12:00:00+05:75',
      ]) {
        expect(parseZonedIsoDate(date), date).to.equal('out-of-range');
      }
      for (const date of ['2025-01-16T14:30:00', '2025-01-16', '10000-01-01T00:00:00Z', '2025-1-16T14:30:00Z', 'yesterday']) {
        expect(parseZonedIsoDate(date), date).to.equal(undefined);
      }
    });

    it('names the field in a 400, for a task result and for a new activity', () => {
      expect(violations(JSON.parse(text('', ',"future_scheduled_at":"2025-02-30T10:00:00Z"'))).map((v) => v.path)).to.deep.equal([
        'task_result.future_scheduled_at',
      ]);
      const old = JSON.parse(text().replace('2025-01-16T14:30:00Z', '0000-01-01T00:00:00Z'));
      expect(violations(old)).to.deep.equal([
        { path: 'occurred_at', message: '"occurred_at" must be a real date and time from 1970-01-01 to 9999-12-31' },
      ]);
      expect(() => parseNewActivity({ commerce_external_id: 'c', scheduled_at: '0000-01-01T00:00:00Z' })).to.throw(
        DomainError,
        /scheduled_at/,
      );
    });
  });

  describe('numbers', () => {
    it('keeps numbers past what a JavaScript number holds as sent, into the fingerprint', () => {
      const a = parseTaskResult(parseJsonText(text(',"raw_payload":{"id":12345678901234567890}')), rules);
      const b = parseTaskResult(parseJsonText(text(',"raw_payload":{"id":12345678901234567891}')), rules);
      expect(canonicalJson(a.raw_payload)).to.equal('{"id":12345678901234567890}');
      expect(eventFingerprint(a)).to.not.equal(eventFingerprint(b));
      expect(canonicalJson(parseJsonText('{"x":[1e400,-1e-400,0.12345678901234567891,1.5]}'))).to.equal(
        '{"x":[1e400,-1e-400,0.12345678901234567891,1.5]}',
      );
    });

    it('fingerprints an ordinary event as before: sorted keys, numbers as JSON.stringify writes them', () => {
      const event = parseTaskResult(JSON.parse(text(',"raw_payload":{"b":[1,2.5,-0],"a":{"z":null,"y":"\\u00e9"}}')), rules);
      const sortedReplacer = (_key: string, v: unknown) =>
        v === null || typeof v !== 'object' || Array.isArray(v)
          ? v
          : Object.fromEntries(
              Object.keys(v)
                .sort()
                .map((k) => [k, (v as Record<string, unknown>)[k]]),
            );
      expect(canonicalJson(event)).to.equal(JSON.stringify(event, sortedReplacer));
    });

    it('refuses a number PostgreSQL cannot store, and a number where an object belongs', () => {
      expect(isStorableNumber('1e131071')).to.equal(true);
      expect(isStorableNumber('0.5e131072')).to.equal(true);
      expect(isStorableNumber('1e131072')).to.equal(false);
      expect(isStorableNumber('1e-16383')).to.equal(true);
      expect(isStorableNumber('123.456e-16381')).to.equal(false);
      expect(violations(parseJsonText(text(',"raw_payload":{"n":1e200000}'))).map((v) => v.path)).to.deep.equal(['raw_payload']);
      expect(violations(parseJsonText(text(',"raw_payload":1e400'))).map((v) => v.message)).to.deep.equal([
        '"raw_payload" must be of type object',
      ]);
    });
  });

  describe('keys', () => {
    it('counts every key in the fingerprint, __proto__ too', () => {
      const a = parseTaskResult(JSON.parse(text(',"raw_payload":{"__proto__":{"x":1}}')), rules);
      const b = parseTaskResult(JSON.parse(text(',"raw_payload":{"__proto__":{"x":2}}')), rules);
      expect(eventFingerprint(a)).to.not.equal(eventFingerprint(b));
      expect(Object.keys(a.raw_payload!)).to.deep.equal(['__proto__']);
    });

    it('reports __proto__, constructor and prototype as unknown fields, top level and in task_result', () => {
      expect(
        violations(JSON.parse(text(',"__proto__":{"status":"COMPLETED"},"constructor":1', ',"prototype":2'))).map((v) => v.path),
      ).to.have.members(['__proto__', 'constructor', 'task_result.prototype']);
      expect(violations(JSON.parse(text('', ',"__proto__":{}'))).map((v) => v.path)).to.deep.equal(['task_result.__proto__']);
    });

    it('names the first unknown fields and counts the rest', () => {
      const wide = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`f${i}`, i]));
      const found = violations({ ...JSON.parse(text()), ...wide });
      expect(found).to.have.length(21);
      expect(found[20]).to.deep.equal({ path: '', message: 'and 1 more violations' });
      expect(found.map((v) => v.message)).to.include('480 more fields are not allowed');
    });

    it('refuses an object wider than the limit before parsing it', () => {
      const wide = `{${Array.from({ length: MAX_OBJECT_FIELDS + 1 }, (_, i) => `"k${i}":1`).join(',')}}`;
      expect(() => parseJsonText(wide)).to.throw(JsonTooLarge, /more than 1000 fields/);
      expect(parseJsonText(`{"list":[${Array.from({ length: 5_000 }, () => '1').join(',')}],"s":"a,b,c"}`)).to.have.property('s', 'a,b,c');
      expect(() => parseJsonText(`${'['.repeat(100)}${']'.repeat(100)}`)).to.throw(JsonTooLarge, /nested deeper/);
    });
  });
});
