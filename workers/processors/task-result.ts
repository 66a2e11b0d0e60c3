// Processor for `task-result` jobs: read the event the job carries, apply it with the other jobs in
// flight in one transaction (group-commit.ts), return the outcome.
// It does not import bullmq: the worker's composition root adapts it and classifies its errors.
import { readTaskResultJob, type TaskResultJobData, type TaskResultJobResult } from '../../domain/jobs';
import { applyTaskResults, type ApplyDeps } from '../apply-task-results';
import { GroupCommit } from '../group-commit';

export interface JobLike<T> {
  readonly id?: string;
  readonly data: T;
  readonly attemptsMade: number;
}

export function taskResultProcessor(deps: ApplyDeps & { readonly maxClockSkewMs: number; readonly concurrency: number }) {
  const group = new GroupCommit((batch) => applyTaskResults(deps, batch), deps.concurrency);
  return async (job: JobLike<TaskResultJobData>): Promise<TaskResultJobResult> => {
    const event = readTaskResultJob(job, deps.maxClockSkewMs);
    return group.apply({ jobId: job.id ?? null, data: job.data, event });
  };
}
