import { expect } from 'chai';
import { boardJobData, REDACTED } from '../../server/board-job-view';

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
