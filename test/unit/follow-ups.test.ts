import { expect } from 'chai';
import { followUpDelayMs, planFollowUp, type CurrentFollowUp } from '../../domain/follow-ups';
import { followUpJobId } from '../../domain/jobs';

const T1 = new Date('2025-01-20T10:00:00.000Z');
const T2 = new Date('2025-01-21T10:00:00.000Z');
const scheduled = (at: Date): CurrentFollowUp => ({ state: 'SCHEDULED', scheduledAt: at });
const created = (at: Date): CurrentFollowUp => ({ state: 'CREATED', scheduledAt: at });

const plan = (current: CurrentFollowUp | null, futureScheduledAt: Date | null, more: Partial<Parameters<typeof planFollowUp>[0]> = {}) =>
  planFollowUp({ current, futureScheduledAt, activityStatus: 'READY', resultStatus: 'PENDING', ...more });

describe('follow-up planning', () => {
  it('schedules a first follow-up when the result carries a time', () => {
    expect(plan(null, T1)).to.deep.equal({ supersede: false, schedule: T1 });
  });

  it('does nothing without a time and without a follow-up', () => {
    expect(plan(null, null)).to.deep.equal({ supersede: false, schedule: null });
  });

  it('keeps a scheduled follow-up when a newer event carries the same time', () => {
    expect(plan(scheduled(T1), new Date(T1.getTime()))).to.deep.equal({ supersede: false, schedule: null });
  });

  it('supersedes a scheduled follow-up and schedules the new time when the time changes', () => {
    expect(plan(scheduled(T1), T2)).to.deep.equal({ supersede: true, schedule: T2 });
  });

  it('supersedes without a replacement when the event drops the time', () => {
    expect(plan(scheduled(T1), null)).to.deep.equal({ supersede: true, schedule: null });
  });

  it('supersedes without a replacement when the activity ends up CANCELED, time or not', () => {
    expect(plan(scheduled(T1), T2, { activityStatus: 'CANCELED', resultStatus: 'CANCELED' })).to.deep.equal({
      supersede: true,
      schedule: null,
    });
    expect(plan(null, T1, { activityStatus: 'CANCELED' }), 'an activity canceled earlier').to.deep.equal({
      supersede: false,
      schedule: null,
    });
  });

  it('treats a CANCELED standalone result like a canceled activity', () => {
    expect(plan(scheduled(T1), T1, { activityStatus: null, resultStatus: 'CANCELED' })).to.deep.equal({ supersede: true, schedule: null });
    expect(plan(null, T1, { activityStatus: null, resultStatus: 'NOT_EXECUTED' })).to.deep.equal({ supersede: false, schedule: T1 });
  });

  it('never undoes a follow-up already created, and adds one for a new time', () => {
    expect(plan(created(T1), T1)).to.deep.equal({ supersede: false, schedule: null });
    expect(plan(created(T1), null)).to.deep.equal({ supersede: false, schedule: null });
    expect(plan(created(T1), T2)).to.deep.equal({ supersede: false, schedule: T2 });
  });

  it('waits until the due time, and not at all for a time already past', () => {
    const now = new Date('2025-01-20T09:59:58.500Z');
    expect(followUpDelayMs(T1, now)).to.equal(1500);
    expect(followUpDelayMs(T1, T2)).to.equal(0);
  });

  it('gives each follow-up one job id without colons', () => {
    const id = '0b8f5a52-4c1e-4a55-9d0e-2f1c3b4a5d6e';
    expect(followUpJobId(id)).to.equal(`fu-${id}`).and.not.include(':');
  });
});
