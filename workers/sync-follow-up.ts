// The follow-up part of applying an event, inside its transaction: rows now, timers after commit. The
// result row is already locked FOR UPDATE, so follow-up writes for one result never race each other.
import { Op, type Transaction } from 'sequelize';
import type { Logger } from '../config/logger';
import { planFollowUp } from '../domain/follow-ups';
import type { FollowUpJobData } from '../domain/jobs';
import type { ActivityStatus } from '../domain/statuses';
import { FollowUp, type ActivityResult } from '../models';
import type { FollowUpTimers } from './follow-up-timers';

export interface FollowUpDeps {
  readonly timers: FollowUpTimers;
  readonly logger: Logger;
}

export async function syncFollowUp(
  input: { result: ActivityResult; activityStatus: ActivityStatus | null; commerceExternalId: string },
  transaction: Transaction,
  { timers, logger }: FollowUpDeps,
): Promise<void> {
  const { result } = input;
  const current = await currentFollowUp(result, transaction);
  const plan = planFollowUp({
    current: current && { state: current.state === 'SCHEDULED' ? 'SCHEDULED' : 'CREATED', scheduledAt: current.scheduledAt },
    futureScheduledAt: result.futureScheduledAt,
    activityStatus: input.activityStatus,
    resultStatus: result.resultStatus,
  });

  // Sequelize runs afterCommit hooks even when the commit itself fails. That is harmless here: a timer
  // without a committed SCHEDULED row does nothing when it fires, and a row left without its timer is
  // what the reconciler repairs. So the hooks log failures and never throw.
  if (plan.supersede && current) {
    await current.update({ state: 'SUPERSEDED' }, { transaction });
    const followUpId = current.id;
    transaction.afterCommit(() =>
      timers.cancel(followUpId).catch((error) => logger.warn({ followUpId, err: error }, 'could not remove a superseded follow-up timer; it will do nothing when it fires')),
    );
  }
  if (plan.schedule) {
    const row = await FollowUp.create({ tenantId: result.tenantId, resultId: result.id, scheduledAt: plan.schedule }, { transaction });
    const data: FollowUpJobData = {
      tenantId: row.tenantId,
      followUpId: row.id,
      commerceExternalId: input.commerceExternalId,
      scheduledAt: plan.schedule.toISOString(),
    };
    transaction.afterCommit(() =>
      timers.schedule(data).catch((error) => logger.warn({ followUpId: row.id, err: error }, 'could not add a follow-up timer; the reconciler will add it')),
    );
  }
}

/** The SCHEDULED follow-up of the result, else its latest CREATED one. */
async function currentFollowUp(result: ActivityResult, transaction: Transaction): Promise<FollowUp | null> {
  const rows = await FollowUp.findAll({
    where: { tenantId: result.tenantId, resultId: result.id, state: { [Op.ne]: 'SUPERSEDED' } },
    order: [['createdAt', 'DESC']],
    transaction,
    lock: transaction.LOCK.UPDATE,
  });
  return rows.find((r) => r.state === 'SCHEDULED') ?? rows[0] ?? null;
}
