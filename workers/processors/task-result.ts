// Processor for `task-result` jobs: read the event the job carries, apply it in one transaction, return the outcome.
// It does not import bullmq: the worker's composition root adapts it and classifies its errors.
import { readTaskResultJob, type TaskResultJobData, type TaskResultJobResult } from '../../domain/jobs';
import { applyTaskResult, type ApplyDeps } from '../apply-task-result';

export interface JobLike<T> {
  readonly id?: string;
  readonly data: T;
  readonly attemptsMade: number;
}

export function taskResultProcessor(deps: ApplyDeps & { readonly maxClockSkewMs: number }) {
  return async (job: JobLike<TaskResultJobData>): Promise<TaskResultJobResult> => {
    const event = readTaskResultJob(job, deps.maxClockSkewMs);
    return applyTaskResult(deps, job, event);
  };
}
