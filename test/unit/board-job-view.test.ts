import { expect } from 'chai';
import { boardJobData, boardJobName, REDACTED } from '../../server/board-job-view';

describe('boardJobData', () => {
  it('redacts secret-looking keys at any depth and leaves the rest alone', () => {
    const data = {
      tenantId: 't',
      requestId: 'r',
      body: { provider_activity_id: 'p', raw_payload: { Password: 'x', auth: { api_key: 'k', token: 't', passport: 'kept' } }, list: [{ secret: 's' }] },
    };
    expect(boardJobData(data)).to.deep.equal({
      tenantId: 't',
      requestId: 'r',
      body: { provider_activity_id: 'p', raw_payload: { Password: REDACTED, auth: { api_key: REDACTED, token: REDACTED, passport: 'kept' } }, list: [{ secret: REDACTED }] },
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

  it('does not change the job data it is given', () => {
    const data = { raw_payload: { password: 'x' } };
    boardJobData(data);
    expect(data.raw_payload.password).to.equal('x');
  });
});

describe('boardJobName', () => {
  const base = { name: 'task-result · tenant 1234abcd · activity a1 · COMPLETED', attemptsMade: 1, opts: { attempts: 8 } };

  it('keeps the name of a job that has not failed, including one completed after a failed attempt', () => {
    expect(boardJobName(base)).to.equal(base.name);
    expect(boardJobName({ ...base, failedReason: 'connection lost', attemptsMade: 1 })).to.equal(base.name);
    expect(boardJobName({ ...base, failedReason: 'connection lost', finishedOn: 1, returnvalue: { outcome: 'created' } })).to.equal(base.name);
  });

  it('adds the error code and the attempts used to a failed job', () => {
    expect(boardJobName({ ...base, failedReason: 'STALE_EVENT: event occurred at …', finishedOn: 1 })).to.equal(`${base.name} · failed STALE_EVENT after 1 of 8 attempts`);
    expect(boardJobName({ ...base, failedReason: 'Connection terminated', finishedOn: 1, attemptsMade: 8 })).to.equal(`${base.name} · failed after 8 of 8 attempts`);
  });
});
