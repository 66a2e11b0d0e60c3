// Read-only checks before enqueueing, so providers get an immediate 404/409 for what is certain to fail.
// The worker checks everything again under locks. If PostgreSQL cannot be reached the checks are skipped:
// the queue exists to absorb outages.
import type { Sequelize } from 'sequelize';
import { toResultBody, type ResultBody } from '../domain/result-body';
import type { TaskResultEvent } from '../domain/task-result-event';
import { isDatabaseUnavailable } from '../models/database-errors';
import { TargetPeeker } from '../models/peek-target';
import { assertResolvable, judgeEvent } from '../models/result-target';
import { sqlOf, type Sql } from '../models/sql';

export type FastCheck = { readonly kind: 'replay'; readonly result: ResultBody } | { readonly kind: 'enqueue'; readonly skipped?: Error };

export class FastChecks {
  private readonly peeker: TargetPeeker;
  private readonly sql: Sql;

  constructor(sequelize: Sequelize) {
    this.peeker = new TargetPeeker(sequelize);
    this.sql = sqlOf(sequelize);
  }

  async check(tenantId: string, event: TaskResultEvent, fingerprint: string): Promise<FastCheck> {
    try {
      const target = await this.peeker.peek(tenantId, event);
      assertResolvable(event, target.activity);
      const judgement = await judgeEvent(this.sql, tenantId, fingerprint, target, event);
      return 'replayed' in judgement ? { kind: 'replay', result: toResultBody(judgement.replayed) } : { kind: 'enqueue' };
    } catch (error) {
      // Only an unreachable database is skipped; anything else is not an outage and must not pass for one.
      if (!isDatabaseUnavailable(error)) throw error;
      return { kind: 'enqueue', skipped: error as Error };
    }
  }
}
