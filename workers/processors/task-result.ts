// Processor for `task-result` jobs: validate the payload, apply it in one transaction, return the outcome.
// It does not import bullmq: the worker's composition root adapts it and classifies its errors.
import type { Sequelize } from 'sequelize';
import type { TaskResultJobData, TaskResultJobResult } from '../../domain/jobs';
import { parseTaskResult } from '../../domain/schemas/task-result';
import { applyTaskResult } from '../apply-task-result';
import type { FollowUpDeps } from '../sync-follow-up';

export interface JobLike<T> {
  readonly id?: string;
  readonly data: T;
  readonly attemptsMade: number;
}

export function taskResultProcessor(deps: { sequelize: Sequelize; maxClockSkewMs: number } & FollowUpDeps) {
  return async (job: JobLike<TaskResultJobData>): Promise<TaskResultJobResult> => {
    // Judged against the time the API accepted it, so a job that waited out an outage is not rejected.
    const event = parseTaskResult(job.data.body, { now: new Date(job.data.receivedAt), maxClockSkewMs: deps.maxClockSkewMs });
    return applyTaskResult(deps.sequelize, job, event, deps);
  };
}
