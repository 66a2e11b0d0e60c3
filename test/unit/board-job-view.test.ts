import { expect } from 'chai';
import { boardFailedReason, boardJobData, boardJobName, boardJobTitle, PAYLOAD_PREVIEW_CHARS, REDACTED } from '../../server/board-job-view';

describe('boardJobData', () => {
  it('redacts secret-looking keys at any depth and leaves the rest alone', () => {
    const data = {
      tenantId: 't',
      requestId: 'r',
      body: {
        provider_activity_id: 'p',
        raw_payload: { Password: 'x', auth: { user: 'u' }, login: { api_key: 'k', token: 't', passport: 'kept' } },
        list: [{ secret: 's' }],
      },
    };
    expect(boardJobData(data)).to.deep.equal({
      tenantId: 't',
      requestId: 'r',
      body: {
        provider_activity_id: 'p',
        raw_payload: { Password: REDACTED, auth: REDACTED, login: { api_key: REDACTED, token: REDACTED, passport: 'kept' } },
        list: [{ secret: REDACTED }],
      },
    });
  });

  it('cuts a large raw_payload or task payload to a preview, and keeps small ones whole', () => {
    const big = { text: 'a'.repeat(100) };
    const view = boardJobData(
      { body: { raw_payload: big, task_result: { result: 'ok', payload: big }, comment: 'c'.repeat(100) } },
      50,
    ) as any;
    expect(view.body.raw_payload).to.deep.equal({
      truncated: true,
      chars: JSON.stringify(big).length,
      preview: `${JSON.stringify(big).slice(0, 50)}…`,
    });
    expect(view.body.task_result.payload.truncated).to.equal(true);
    expect(view.body.comment).to.have.length(100);
    expect(boardJobData({ raw_payload: { a: 1 } }, 50)).to.deep.equal({ raw_payload: { a: 1 } });
  });

  it('shows a body sent as JSON text parsed, redacted and cut like an object', () => {
    const body = {
      provider_activity_id: 'p',
      raw_payload: { password: 'hunter2', text: 'a'.repeat(100) },
      task_result: { result: 'ok', payload: { pwd: 'x' } },
    };
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
    expect(boardFailedReason('VALIDATION_FAILED: "status" must be one of [PENDING]')).to.equal(
      'VALIDATION_FAILED: "status" must be one of [PENDING]',
    );
    expect(boardFailedReason('IDEMPOTENCY_KEY_REUSED: key reused')).to.equal('IDEMPOTENCY_KEY_REUSED: key reused');
    expect(boardFailedReason('connect failed: password=hunter2')).to.equal(`connect failed: password=${REDACTED}`);
  });
});

describe('boardJobTitle', () => {
  const tenantId = '1234abcd-0000-4000-8000-000000000000';
  const body = { activity_id: 'a1', provider_activity_id: 'visit-1', status: 'COMPLETED', task_result: { result: 'ok' } };

  it("makes a task result's title from its data: tenant, activity (or standalone key) and status", () => {
    expect(boardJobTitle({ name: 'task-result', data: { tenantId, body: JSON.stringify(body) } })).to.equal(
      'task-result · tenant 1234abcd · activity a1 · COMPLETED',
    );
    const standalone = { ...body, activity_id: undefined };
    expect(boardJobTitle({ name: 'task-result', data: { tenantId, body: JSON.stringify(standalone) } })).to.equal(
      'task-result · tenant 1234abcd · key visit-1 · COMPLETED',
    );
    // Jobs queued before the body was text hold the parsed body.
    expect(boardJobTitle({ name: 'task-result', data: { tenantId, body } })).to.equal(
      'task-result · tenant 1234abcd · activity a1 · COMPLETED',
    );
  });

  it("makes a follow-up's title from its data: tenant, commerce and due time", () => {
    const data = { tenantId, followUpId: 'f', commerceExternalId: 'store-001', scheduledAt: '2025-01-20T10:00:00.000Z' };
    expect(boardJobTitle({ name: 'follow-up', data })).to.equal(
      'follow-up · tenant 1234abcd · commerce store-001 · due 2025-01-20T10:00:00.000Z',
    );
  });

  it('shows what it cannot read as ?, and cuts long values', () => {
    expect(boardJobTitle({ name: 'task-result', data: { body: 'not json' } })).to.equal('task-result · tenant ? · key ? · ?');
    expect(boardJobTitle({ name: 'task-result', data: null })).to.equal('task-result · tenant ? · key ? · ?');
    expect(boardJobTitle({ name: 'follow-up', data: { tenantId: 7, commerceExternalId: { a: 1 } } })).to.equal(
      'follow-up · tenant ? · commerce ? · due ?',
    );
    const title = boardJobTitle({
      name: 'task-result',
      data: { tenantId, body: JSON.stringify({ provider_activity_id: 'k'.repeat(1_000), status: 'PENDING' }) },
    });
    expect(title).to.equal(`task-result · tenant 1234abcd · key ${'k'.repeat(80)} · PENDING`);
  });

  it('keeps the name of a job queued when names were its title, of the reconciler, and of a kind it does not know', () => {
    const old = 'follow-up · tenant 1234abcd · commerce store-001 · due 2025-01-20T10:00:00.000Z';
    expect(boardJobTitle({ name: old, data: {} })).to.equal(old);
    expect(boardJobTitle({ name: 'task-result · tenant 1234abcd · key visit-1 · COMPLETED', data: { tenantId, body } })).to.equal(
      'task-result · tenant 1234abcd · key visit-1 · COMPLETED',
    );
    expect(boardJobTitle({ name: 'reconcile-follow-ups', data: {} })).to.equal('reconcile-follow-ups');
    expect(boardJobTitle({ name: 'something-else', data: { tenantId } })).to.equal('something-else');
  });
});

describe('boardJobName', () => {
  const data = { tenantId: '1234abcd-0000-4000-8000-000000000000', body: JSON.stringify({ activity_id: 'a1', status: 'COMPLETED' }) };
  const base = { name: 'task-result', data, attemptsMade: 1, opts: { attempts: 8 } };
  const title = 'task-result · tenant 1234abcd · activity a1 · COMPLETED';

  it('lists a job that has not failed under its title, including one completed after a failed attempt', () => {
    expect(boardJobName(base)).to.equal(title);
    expect(boardJobName({ ...base, failedReason: 'connection lost', attemptsMade: 1 })).to.equal(title);
    expect(boardJobName({ ...base, failedReason: 'connection lost', finishedOn: 1, returnvalue: { outcome: 'created' } })).to.equal(title);
  });

  it("says a failed job's error code, and that a domain error is not retried", () => {
    expect(boardJobName({ ...base, failedReason: 'STALE_EVENT: event occurred at …', finishedOn: 1 })).to.equal(
      `${title} · failed STALE_EVENT (not retried)`,
    );
  });

  it('says how many attempts a job that ran out of them used', () => {
    expect(boardJobName({ ...base, failedReason: 'Connection terminated', finishedOn: 1, attemptsMade: 8 })).to.equal(
      `${title} · failed after 8 of 8 attempts`,
    );
  });
});
