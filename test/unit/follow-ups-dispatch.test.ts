import { expect } from 'chai';
import { DomainError } from '../../domain/errors';
import { JOB_NAMES, JOB_OPTIONS, jobKindOf } from '../../domain/jobs';
import { classify } from '../../workers/classify';
import { dispatchFollowUps } from '../../workers/follow-ups-dispatch';

describe('job kinds', () => {
  it('reads a kind from its name, and from the board text that older jobs were named with', () => {
    expect(jobKindOf('follow-up')).to.equal(JOB_NAMES.followUp);
    expect(jobKindOf('reconcile-follow-ups')).to.equal(JOB_NAMES.reconcileFollowUps);
    expect(jobKindOf('follow-up · tenant a1b2c3d4 · commerce store-001 · due 2025-01-20T10:00:00.000Z')).to.equal(JOB_NAMES.followUp);
    expect(jobKindOf('task-result · tenant a1b2c3d4 · key visit-9 · COMPLETED')).to.equal(JOB_NAMES.taskResult);
    for (const name of ['', 'follow-ups', 'follow-up ·', 'Follow-up · x', 'something · follow-up'])
      expect(jobKindOf(name), name).to.equal(undefined);
  });

  it('gives every kind its retention, and the retried kinds attempts and a backoff', () => {
    for (const kind of Object.values(JOB_NAMES)) expect(JOB_OPTIONS[kind].removeOnFail, kind).to.have.property('age');
    expect(JOB_OPTIONS[JOB_NAMES.taskResult]).to.deep.include({ attempts: 8 });
    expect(JOB_OPTIONS[JOB_NAMES.followUp].backoff.type).to.equal('exponential');
  });
});

describe('the follow-ups dispatch', () => {
  const ran: string[] = [];
  const dispatch = dispatchFollowUps<{ name: string }>({
    followUp: async (job) => ran.push(`follow-up ${job.name}`),
    reconcile: async () => ran.push('reconcile'),
  });
  beforeEach(() => (ran.length = 0));

  it('runs each job by its kind, old names included', async () => {
    await dispatch({ name: 'follow-up' });
    await dispatch({ name: 'reconcile-follow-ups' });
    await dispatch({ name: 'follow-up · tenant a1b2c3d4 · commerce store-001 · due 2025-01-20T10:00:00.000Z' });
    expect(ran).to.deep.equal([
      'follow-up follow-up',
      'reconcile',
      'follow-up follow-up · tenant a1b2c3d4 · commerce store-001 · due 2025-01-20T10:00:00.000Z',
    ]);
  });

  it('fails a job of an unknown kind, or of another queue, with a domain error: not retried', async () => {
    for (const name of ['send-email', 'task-result']) {
      const error = await dispatch({ name }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, name).to.be.instanceOf(DomainError).with.property('code', 'JOB_DATA_INVALID');
      expect((error as Error).message).to.include(`"${name}"`);
      expect(classify(error).retry, name).to.equal(false);
    }
    expect(ran).to.deep.equal([]);
  });
});
