import { expect } from 'chai';
import { boardFailedReason, boardJobData, boardJobName, PAYLOAD_PREVIEW_CHARS, REDACTED } from '../../server/board-job-view';

describe('boardJobData', () => {
  it('redacts secret-looking keys at any depth and leaves the rest alone', () => {
    const data = {
      tenantId: 't',
      requestId: 'r',
      body: { provider_activity_id: 'p', raw_payload: { Password: 'x', auth: { user: 'u' }, login: { api_key: 'k', token: 't', passport: 'kept' } }, list: [{ secret: 's' }] },
    };
    expect(boardJobData(data)).to.deep.equal({
      tenantId: 't',
      requestId: 'r',
      body: { provider_activity_id: 'p', raw_payload: { Password: REDACTED, auth: REDACTED, login: { api_key: REDACTED, token: REDACTED, passport: 'kept' } }, list: [{ secret: REDACTED }] },
    });
  });

  it('cuts a large raw_payload or task payload to a preview, and keeps small ones whole', () => {
    const big = { text: 'a'.repeat(100) };
    const view = boardJobData({ body: { raw_payload: big, task_result: { result: 'ok', payload: big }, comment: 'c'.repeat(100) } }, 50) as any;
    expect(view.body.raw_payload).to.deep.equal({ truncated: true, chars: JSON.stringify(big).length, preview: `${JSON.stringify(big).slice(0, 50)}…` });
    expect(view.body.task_result.payload.truncated).to.equal(true);
    expect(view.body.comment).to.have.length(100);
    expect(boardJobData({ raw_payload: { a: 1 } }, 50)).to.deep.equal({ raw_payload: { a: 1 } });
  });

  it('shows a body sent as JSON text parsed, redacted and cut like an object', () => {
    const body = { provider_activity_id: 'p', raw_payload: { password: 'hunter2', text: 'a'.repeat(100) }, task_result: { result: 'ok', payload: { pwd: 'x' } } };
    const view = boardJobData({ tenantId: 't', body: JSON.stringify(body) }, 50) as any;
    expect(view.body.provider_activity_id).to.equal('p');
    expect(view.body.raw_payload.truncated).to.equal(true);
    expect(view.body.raw_payload.preview).to.include(`"password":"${REDACTED}"`);
    expect(view.body.task_result).to.deep.equal({ result: 'ok', payload: { pwd: REDACTED } });
    expect(boardJobData({ body: JSON.stringify({ a: 1 }) })).to.deep.equal({ body: { a: 1 } });
  });

  it('shows a body that is text but not a JSON object redacted and cut to the preview', () => {
    expect(boardJobData({ body: 'token=abc not json' })).to.deep.equal({ body: `token=${REDACTED} not json` });
    const long = boardJobData({ body: `password=x ${'b'.repeat(100)}` }, 20) as any;
    expect(long.body).to.deep.equal({ truncated: true, chars: 111, preview: `password=${REDACTED} ${'b'.repeat(9)}…` });
  });

  it('redacts a large payload in the time of its preview, not of its size', () => {
    const hostile = { raw_payload: { a: '1234 '.repeat(200_000), b: 'a:'.repeat(500_000), password: 'hunter2' } };
    const started = process.hrtime.bigint();
    const view = boardJobData(hostile) as any;
    expect(Number(process.hrtime.bigint() - started) / 1e6).to.be.below(200);
    expect(view.raw_payload.chars).to.equal(JSON.stringify(hostile.raw_payload).length);
    expect(view.raw_payload.preview).to.have.length(PAYLOAD_PREVIEW_CHARS + 1);
  });

  it('does not change the job data it is given', () => {
    const data = { raw_payload: { password: 'x' } };
    boardJobData(data);
    expect(data.raw_payload.password).to.equal('x');
  });
});

describe('boardFailedReason', () => {
  it('keeps the error code readable and redacts the rest', () => {
    expect(boardFailedReason('VALIDATION_FAILED: "status" must be one of [PENDING]')).to.equal('VALIDATION_FAILED: "status" must be one of [PENDING]');
    expect(boardFailedReason('IDEMPOTENCY_KEY_REUSED: key reused')).to.equal('IDEMPOTENCY_KEY_REUSED: key reused');
    expect(boardFailedReason('connect failed: password=hunter2')).to.equal(`connect failed: password=${REDACTED}`);
  });
});

describe('boardJobName', () => {
  const base = { name: 'task-result · tenant 1234abcd · activity a1 · COMPLETED', attemptsMade: 1, opts: { attempts: 8 } };

  it('keeps the name of a job that has not failed, including one completed after a failed attempt', () => {
    expect(boardJobName(base)).to.equal(base.name);
    expect(boardJobName({ ...base, failedReason: 'connection lost', attemptsMade: 1 })).to.equal(base.name);
    expect(boardJobName({ ...base, failedReason: 'connection lost', finishedOn: 1, returnvalue: { outcome: 'created' } })).to.equal(base.name);
  });

  it("says a failed job's error code, and that a domain error is not retried", () => {
    expect(boardJobName({ ...base, failedReason: 'STALE_EVENT: event occurred at …', finishedOn: 1 })).to.equal(`${base.name} · failed STALE_EVENT (not retried)`);
  });

  it('says how many attempts a job that ran out of them used', () => {
    expect(boardJobName({ ...base, failedReason: 'Connection terminated', finishedOn: 1, attemptsMade: 8 })).to.equal(`${base.name} · failed after 8 of 8 attempts`);
  });
});
