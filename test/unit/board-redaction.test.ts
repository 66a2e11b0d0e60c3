import { expect } from 'chai';
import { REDACTED, redactText, redactValue } from '../../server/board-redaction';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlLXBhcnQ';

describe('board redaction', () => {
  it('redacts the value of every secret-looking field name, at any depth', () => {
    const names = [
      'pwd',
      'Password',
      'pass',
      'bearer',
      'jwt',
      'aws_access_key_id',
      'session_id',
      'passphrase',
      'card_number',
      'api_key',
      'client_secret',
      'refreshToken',
      'Authorization',
      'cookie',
      'private_key',
      'credentials',
    ];
    const data = Object.fromEntries(names.map((name) => [name, 'hunter2']));
    expect(redactValue({ nested: [data] })).to.deep.equal({ nested: [Object.fromEntries(names.map((name) => [name, REDACTED]))] });
  });

  it('keeps fields that only look alike', () => {
    const data = {
      passport: 'kept',
      status: 'COMPLETED',
      comment: 'called back',
      provider_activity_id: 'visit-1',
      occurred_at: '2025-01-16T14:30:00.000Z',
    };
    expect(redactValue(data)).to.deep.equal(data);
  });

  it('redacts the value of a name/value pair that names a secret', () => {
    const pairs = [
      { name: 'password', value: 'hunter2' },
      { name: 'color', value: 'blue' },
      { header: 'Authorization', value: 'x' },
      { field: 'pwd', value: 1234 },
    ];
    expect(redactValue(pairs)).to.deep.equal([
      { name: 'password', value: REDACTED },
      { name: 'color', value: 'blue' },
      { header: 'Authorization', value: REDACTED },
      { field: 'pwd', value: REDACTED },
    ]);
  });

  it('redacts name=value pairs, credentials and tokens inside text', () => {
    const cases: Array<[string, string]> = [
      ['token=abc123&page=2', `token=${REDACTED}&page=2`],
      ['login with password=hunter2 failed', `login with password=${REDACTED} failed`],
      ['retry; api_key: sk-live-1, user: ana', `retry; api_key: ${REDACTED}, user: ana`],
      ['{"user":"ana","secret":"s3cr3t"}', `{"user":"ana","secret":"${REDACTED}"}`],
      ['"task_result.pwd" with value "hunter2" is not allowed', `"task_result.pwd" with value "${REDACTED}" is not allowed`],
      ['sent Authorization: Bearer abc.def-ghi', `sent Authorization: Bearer ${REDACTED}`],
      ['header Basic dXNlcjpwYXNz', `header Basic ${REDACTED}`],
      ['connect postgres://app:s3cr3t@db:5432/x refused', `connect postgres://app:${REDACTED}@db:5432/x refused`],
      [`the token was ${JWT} then`, 'the token was [JWT REDACTED] then'],
      ['paid with 4111 1111 1111 1111 today', 'paid with XXXX-XXXX-XXXX-XXXX today'],
      ['order 1234 5678 shipped', 'order 1234 5678 shipped'],
    ];
    for (const [text, expected] of cases) expect(redactText(text), text).to.equal(expected);
  });

  it('redacts secrets in string values and card numbers given as numbers', () => {
    expect(redactValue({ note: 'password=hunter2', id: JWT, card: 4111111111111111, count: 3 })).to.deep.equal({
      note: `password=${REDACTED}`,
      id: '[JWT REDACTED]',
      card: REDACTED,
      count: 3,
    });
  });
});
