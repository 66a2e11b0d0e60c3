// /api/activities: create task activities and read one with its status and latest result.
import { Router } from 'express';
import { UniqueConstraintError } from 'sequelize';
import { DomainError } from '../../domain/errors';
import { Activity, ActivityResult, Commerce } from '../../models';
import type { AppDeps } from '../app';
import { authenticate, principalOf } from '../middleware/auth';
import { jsonBody } from '../middleware/require-json';
import { parseNewActivity } from '../schemas/activity';
import { isUuid } from '../../domain/schemas/common';

function activityBody(activity: Activity, commerce: Commerce, resultId: string | null) {
  return {
    id: activity.id,
    type: activity.type,
    status: activity.status,
    channel: activity.channel,
    commerceId: commerce.id,
    commerceExternalId: commerce.externalId,
    providerActivityId: activity.providerActivityId,
    scheduledAt: activity.scheduledAt?.toISOString() ?? null,
    parentActivityId: activity.parentActivityId,
    sourceResultId: activity.sourceResultId,
    resultId,
    createdAt: activity.createdAt.toISOString(),
    updatedAt: activity.updatedAt.toISOString(),
  };
}

export function activitiesRouter(deps: AppDeps): Router {
  const router = Router();
  const { sequelize } = deps;

  router.post('/tasks', authenticate(deps.apiKeys, ['CREATE_ACTIVITY']), ...jsonBody, async (req, res) => {
    const { tenantId } = principalOf(res);
    const input = parseNewActivity(req.body);
    try {
      const [activity, commerce] = await sequelize.transaction(async (transaction) => {
        // A commerce first seen as a standalone result's placeholder becomes a real one here.
        await Commerce.bulkCreate([{ tenantId, externalId: input.commerce_external_id, isPlaceholder: false }], {
          transaction,
          updateOnDuplicate: ['isPlaceholder'],
          conflictAttributes: ['tenantId', 'externalId'],
        });
        const commerce = (await Commerce.findOne({ where: { tenantId, externalId: input.commerce_external_id }, transaction }))!;
        const activity = await Activity.create(
          {
            tenantId,
            commerceId: commerce.id,
            providerActivityId: input.provider_activity_id ?? null,
            channel: input.channel ?? null,
            scheduledAt: input.scheduled_at ? new Date(input.scheduled_at) : null,
          },
          { transaction },
        );
        return [activity, commerce] as const;
      });
      res.status(201).location(`/api/activities/${activity.id}`).json(activityBody(activity, commerce, null));
    } catch (error) {
      if (error instanceof UniqueConstraintError) {
        // Named so the provider can carry on with the activity it made before instead of searching for it.
        const existing = await Activity.findOne({ where: { tenantId, providerActivityId: input.provider_activity_id }, attributes: ['id'] });
        const which = existing ? `activity ${existing.id}` : 'an activity';
        throw new DomainError('ACTIVITY_ALREADY_EXISTS', `${which} has provider_activity_id "${input.provider_activity_id}" already`, [
          { path: 'provider_activity_id', message: existing ? `taken by activity ${existing.id}` : 'taken' },
        ]);
      }
      throw error;
    }
  });

  router.get('/:id', authenticate(deps.apiKeys, ['VIEW_ACTIVITIES']), async (req, res) => {
    const { tenantId } = principalOf(res);
    const id = String(req.params.id);
    const activity = isUuid(id) ? await Activity.findOne({ where: { id, tenantId }, include: [Commerce] }) : null;
    if (!activity) throw new DomainError('ACTIVITY_NOT_FOUND', `activity ${id} not found`);
    const result = await ActivityResult.findOne({ where: { tenantId, activityId: id }, attributes: ['id'] });
    res.json(activityBody(activity, activity.commerce!, result?.id ?? null));
  });

  return router;
}
