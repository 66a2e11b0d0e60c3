import { expect } from 'chai';
import { DomainError } from '../../domain/errors';
import { decide, isTooFarInFuture, nextActivityStatus, type IncomingEvent } from '../../domain/rules';
import { ACTIVITY_STATUSES, RESULT_STATUSES, type ResultStatus } from '../../domain/statuses';

const at = (iso: string) => new Date(iso);
const event = (status: ResultStatus, occurredAt: string, hardOverride = false): IncomingEvent => ({
  status,
  occurredAt: at(occurredAt),
  hardOverride,
});

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    expect(error).to.be.instanceOf(DomainError);
    return (error as DomainError).code;
  }
}

describe('domain rules', () => {
  describe('temporal guard', () => {
    const stored = { status: 'PENDING' as const, occurredAt: at('2025-01-16T14:30:00Z') };

    it('applies a strictly newer event', () => {
      expect(codeOf(() => decide({ stored, activityStatus: null, event: event('PENDING', '2025-01-16T14:30:00.001Z') }))).to.equal(
        undefined,
      );
    });

    it('rejects an equal or older event as STALE_EVENT, even with hard_override', () => {
      for (const time of ['2025-01-16T14:30:00Z', '2025-01-16T14:29:59Z']) {
        expect(codeOf(() => decide({ stored, activityStatus: null, event: event('COMPLETED', time, true) }))).to.equal('STALE_EVENT');
      }
    });

    it('applies anything to a result that does not exist yet', () => {
      expect(decide({ stored: null, activityStatus: null, event: event('CANCELED', '2000-01-01T00:00:00Z') })).to.deep.equal({
        activityStatus: null,
      });
    });
  });

  describe('result transitions', () => {
    const later = '2025-01-17T00:00:00Z';
    for (const from of RESULT_STATUSES) {
      for (const to of RESULT_STATUSES) {
        const allowed = from === 'PENDING' || from === to;
        it(`${from} → ${to}: ${allowed ? 'allowed' : 'INVALID_STATE_TRANSITION unless hard_override'}`, () => {
          const stored = { status: from, occurredAt: at('2025-01-16T00:00:00Z') };
          expect(codeOf(() => decide({ stored, activityStatus: null, event: event(to, later) }))).to.equal(
            allowed ? undefined : 'INVALID_STATE_TRANSITION',
          );
          expect(codeOf(() => decide({ stored, activityStatus: null, event: event(to, later, true) }))).to.equal(undefined);
        });
      }
    }
  });

  describe('activity status sync', () => {
    const expected: Record<ResultStatus, string | null> = {
      PENDING: null,
      COMPLETED: 'COMPLETED',
      NOT_EXECUTED: 'FAILED',
      CANCELED: 'CANCELED',
      TRANSFERRED: 'COMPLETED',
    };
    for (const status of RESULT_STATUSES) {
      it(`maps ${status} to ${expected[status] ?? 'no change'} for a READY activity`, () => {
        expect(nextActivityStatus('READY', event(status, '2025-01-16T00:00:00Z'))).to.equal(expected[status]);
      });
    }

    it('keeps closed activities where they are unless hard_override', () => {
      for (const closed of ['COMPLETED', 'CANCELED', 'FAILED'] as const) {
        for (const status of RESULT_STATUSES) {
          const target = expected[status];
          const moves = target !== null && target !== closed;
          expect(
            codeOf(() => nextActivityStatus(closed, event(status, '2025-01-16T00:00:00Z'))),
            `${closed} ← ${status}`,
          ).to.equal(moves ? 'INVALID_STATE_TRANSITION' : undefined);
          expect(codeOf(() => nextActivityStatus(closed, event(status, '2025-01-16T00:00:00Z', true)))).to.equal(undefined);
        }
      }
    });

    it('moves open activities freely', () => {
      for (const open of ACTIVITY_STATUSES.filter((s) => !['COMPLETED', 'CANCELED', 'FAILED'].includes(s))) {
        expect(nextActivityStatus(open, event('NOT_EXECUTED', '2025-01-16T00:00:00Z'))).to.equal('FAILED');
      }
    });
  });

  describe('clock skew, with an injected clock', () => {
    const now = at('2025-01-16T12:00:00Z');
    it('allows events up to the skew ahead of the clock and no further', () => {
      expect(isTooFarInFuture(at('2025-01-16T12:05:00Z'), now, 300_000)).to.equal(false);
      expect(isTooFarInFuture(at('2025-01-16T12:05:00.001Z'), now, 300_000)).to.equal(true);
      expect(isTooFarInFuture(at('1999-01-01T00:00:00Z'), now, 0)).to.equal(false);
    });
  });
});
