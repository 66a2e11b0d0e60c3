// Processor for `follow-up` jobs: check the payload, create the follow-up activity if the row still says
// so. It does not import bullmq: the worker's composition root adapts it and classifies its errors.
import type { Sequelize } from 'sequelize';
import { validationFailed } from '../../domain/errors';
import type { FollowUpJobData, FollowUpJobResult } from '../../domain/jobs';
import { createFollowUpActivity } from '../create-follow-up-activity';
import type { JobLike } from './task-result';
import { isUuid } from '../../domain/schemas/common';

export function followUpProcessor(deps: { sequelize: Sequelize }) {
  return async (job: JobLike<FollowUpJobData>): Promise<FollowUpJobResult> => {
    const { tenantId, followUpId } = job.data ?? {};
    if (!isUuid(String(tenantId)) || !isUuid(String(followUpId))) {
      throw validationFailed('follow-up job without a valid tenantId and followUpId', [
        { path: 'data', message: 'tenantId and followUpId must be uuids' },
      ]);
    }
    return createFollowUpActivity(deps.sequelize, tenantId, followUpId);
  };
}
