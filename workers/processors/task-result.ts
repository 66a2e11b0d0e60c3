// Processor for `task-result` jobs: take the validated event, apply it in one transaction, return the outcome.
// It does not import bullmq: the worker's composition root adapts it and classifies its errors.
import type { TaskResultJobData, TaskResultJobResult } from '../../domain/jobs';
import { parseTaskResult } from '../../domain/schemas/task-result';
import { applyTaskResult, type ApplyDeps } from '../apply-task-result';

export interface JobLike<T> {
  readonly id?: string;
  readonly data: T;
  readonly attemptsMade: number;
}

export function taskResultProcessor(deps: ApplyDeps & { readonly maxClockSkewMs: number }) {
  return async (job: JobLike<TaskResultJobData>): Promise<TaskResultJobResult> => {
    // Validated by the API already; else judged against the time the API accepted it, so a job that
    // waited out an outage is not rejected.
    const event = job.data.event ?? parseTaskResult(job.data.body, { now: new Date(job.data.receivedAt), maxClockSkewMs: deps.maxClockSkewMs });
    return applyTaskResult(deps, job, event);
  };
}
