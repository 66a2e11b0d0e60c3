// /api/activities: create task activities, list them, and read one with its status and latest result.
import { Router } from 'express';
import { UniqueConstraintError } from 'sequelize';
import { DomainError } from '../../domain/errors';
import { toActivityBody } from '../../domain/activity-body';
import { encodeCursor } from '../../domain/page-cursor';
import { Activity, Commerce } from '../../models';
import { listActivities, readActivity, type ActivityFilters } from '../../models/activity-reads';
import { sqlOf } from '../../models/sql';
import type { AppDeps } from '../app';
import { authenticate, principalOf } from '../middleware/auth';
import { jsonBody } from '../middleware/require-json';
import { parseNewActivity } from '../schemas/activity';
import { activityListQuery, parseListQuery } from '../schemas/list-queries';
import { isUuid } from '../../domain/schemas/common';

export function activitiesRouter(deps: AppDeps): Router {
  const router = Router();
  const { sequelize } = deps;
  const sql = sqlOf(sequelize);
  const canView = authenticate(deps.apiKeys, ['VIEW_ACTIVITIES']);

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
      const body = toActivityBody({ ...activity.get({ plain: true }), commerceExternalId: commerce.externalId, resultId: null });
      res.status(201).location(`/api/activities/${activity.id}`).json(body);
    } catch (error) {
      if (error instanceof UniqueConstraintError) {
        // Named so the provider can carry on with the activity it made before instead of searching for it.
        const existing = await Activity.findOne({
          where: { tenantId, providerActivityId: input.provider_activity_id },
          attributes: ['id'],
        });
        const which = existing ? `activity ${existing.id}` : 'an activity';
        throw new DomainError('ACTIVITY_ALREADY_EXISTS', `${which} has provider_activity_id "${input.provider_activity_id}" already`, [
          { path: 'provider_activity_id', message: existing ? `taken by activity ${existing.id}` : 'taken' },
        ]);
      }
      throw error;
    }
  });

  router.get('/', canView, async (req, res) => {
    const { tenantId } = principalOf(res);
    const { filters, limit, after } = parseListQuery<ActivityFilters>(activityListQuery, req.query);
    const page = await listActivities(sql, tenantId, filters, limit, after);
    res.json({ items: page.rows.map(toActivityBody), nextCursor: page.next && encodeCursor(page.next) });
  });

  router.get('/:id', canView, async (req, res) => {
    const { tenantId } = principalOf(res);
    const id = String(req.params.id);
    const activity = isUuid(id) ? await readActivity(sql, tenantId, id) : null;
    if (!activity) throw new DomainError('ACTIVITY_NOT_FOUND', `activity ${id} not found`);
    res.json(toActivityBody(activity));
  });

  return router;
}
