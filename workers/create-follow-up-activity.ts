// One attempt of a follow-up job: the row decides, not the timer. Locks are taken in the order
// apply-task-result takes them (parent activity, result, follow-up), so an event arriving for the same
// result at the moment the timer fires waits its turn instead of deadlocking. Running it twice creates
// one activity: the second run finds the row CREATED.
import type { Sequelize } from 'sequelize';
import type { FollowUpJobResult } from '../domain/jobs';
import { Activity, ActivityResult, FollowUp } from '../models';

export async function createFollowUpActivity(sequelize: Sequelize, tenantId: string, followUpId: string): Promise<FollowUpJobResult> {
  return sequelize.transaction(async (transaction) => {
    const lock = transaction.LOCK.UPDATE;
    const unlocked = await FollowUp.findOne({ where: { id: followUpId, tenantId }, attributes: ['resultId'], transaction });
    if (!unlocked) return { outcome: 'skipped', state: null, activityId: null };
    // A result's activity and commerce never change, so reading them before the locks is safe.
    const result = (await ActivityResult.findOne({
      where: { id: unlocked.resultId, tenantId },
      attributes: ['id', 'activityId', 'commerceId'],
      transaction,
    }))!;
    const parent = result.activityId ? await Activity.findOne({ where: { id: result.activityId, tenantId }, transaction, lock }) : null;
    await ActivityResult.findOne({ where: { id: result.id }, attributes: ['id'], transaction, lock });
    const followUp = (await FollowUp.findOne({ where: { id: followUpId, tenantId }, transaction, lock }))!;

    if (followUp.state !== 'SCHEDULED') return { outcome: 'skipped', state: followUp.state, activityId: followUp.activityId };
    // Canceled since the follow-up was planned (by an admin, say): nobody should visit.
    if (parent?.status === 'CANCELED') {
      await followUp.update({ state: 'SUPERSEDED' }, { transaction });
      return { outcome: 'skipped', state: followUp.state, activityId: null };
    }
    const activity = await Activity.create(
      {
        tenantId,
        commerceId: result.commerceId,
        type: 'TASK',
        status: 'READY',
        scheduledAt: followUp.scheduledAt,
        parentActivityId: parent?.id ?? null,
        sourceResultId: result.id,
      },
      { transaction },
    );
    await followUp.update({ state: 'CREATED', activityId: activity.id }, { transaction });
    return { outcome: 'created', state: followUp.state, activityId: activity.id };
  });
}
