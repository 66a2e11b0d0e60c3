// Read-only checks before enqueueing, so providers get an immediate 404/409 for what is certain to fail.
// The worker checks everything again under locks. If PostgreSQL cannot be reached the checks are skipped:
// the queue exists to absorb outages.
import type { Sequelize } from 'sequelize';
import { DomainError } from '../domain/errors';
import { assertResolvable, decideFor, judgeEvent } from '../domain/judgement';
import { toResultBody, type ResultBody } from '../domain/result-response';
import type { TaskResultEvent } from '../domain/task-result-event';
import { isDatabaseUnavailable } from '../models/database-errors';
import { TargetLookup } from '../models/target-lookup';
import { findReplayedResult, findReplayedResults, replayKey } from '../models/replayed-results';
import { sqlOf, type Sql } from '../models/sql';

export type FastCheck = { readonly kind: 'replay'; readonly result: ResultBody } | { readonly kind: 'enqueue'; readonly skipped?: Error };

/** A batch's event: what the single route's checks would have answered, a refusal included. */
export type ItemCheck = FastCheck | { readonly kind: 'refused'; readonly error: DomainError };

export interface BatchChecks {
  readonly checks: ItemCheck[];
  /** The database could not be reached: every event goes to the queue, as on the single route. */
  readonly skipped?: Error;
}

export class FastChecks {
  private readonly targets: TargetLookup;
  private readonly sql: Sql;

  constructor(sequelize: Sequelize) {
    this.targets = new TargetLookup(sequelize);
    this.sql = sqlOf(sequelize);
  }

  async check(tenantId: string, event: TaskResultEvent, fingerprint: string): Promise<FastCheck> {
    try {
      const target = await this.targets.peek(tenantId, event);
      assertResolvable(event, target.activity);
      const judgement = await judgeEvent(target, event, () => findReplayedResult(this.sql, tenantId, fingerprint));
      return 'replayed' in judgement ? { kind: 'replay', result: toResultBody(judgement.replayed) } : { kind: 'enqueue' };
    } catch (error) {
      // Only an unreachable database is skipped; anything else is not an outage and must not pass for one.
      if (!isDatabaseUnavailable(error)) throw error;
      return { kind: 'enqueue', skipped: error as Error };
    }
  }

  /**
   * The same checks for a batch's events, in two statements whatever its size: every target at once,
   * then the history for the events that look stale (an applied event is an exact replay, not stale).
   */
  async checkMany(tenantId: string, entries: readonly { event: TaskResultEvent; fingerprint: string }[]): Promise<BatchChecks> {
    try {
      const targets = await this.targets.peekMany(
        tenantId,
        entries.map((e) => e.event),
      );
      const checks = entries.map(({ event }, i): ItemCheck => {
        try {
          assertResolvable(event, targets[i].activity);
          decideFor(targets[i], event);
          return { kind: 'enqueue' };
        } catch (error) {
          if (error instanceof DomainError) return { kind: 'refused', error };
          throw error;
        }
      });
      const stale = entries.filter((_, i) => isStale(checks[i]));
      const replayed = await findReplayedResults(
        this.sql,
        stale.map(({ fingerprint }) => ({ tenantId, fingerprint })),
      );
      entries.forEach(({ fingerprint }, i) => {
        const row = isStale(checks[i]) ? replayed.get(replayKey(tenantId, fingerprint)) : undefined;
        if (row) checks[i] = { kind: 'replay', result: toResultBody(row) };
      });
      return { checks };
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      return { checks: entries.map(() => ({ kind: 'enqueue' })), skipped: error as Error };
    }
  }
}

const isStale = (check: ItemCheck) => check.kind === 'refused' && check.error.code === 'STALE_EVENT';
