// Processor for `task-result` jobs: read the event the job carries, apply it with the other jobs in
// flight in one transaction (group-commit.ts), return the outcome.
// It does not import bullmq: the worker's composition root adapts it and classifies its errors.
import { readTaskResultJob, type TaskResultJobData, type TaskResultJobResult } from '../../domain/jobs';
import { applyTaskResults, type ApplyDeps } from '../apply-task-results';
import { GroupCommit } from '../group-commit';
import type { JobMetrics } from '../job-metrics';

export interface JobLike<T> {
  readonly id?: string;
  readonly data: T;
  readonly attemptsMade: number;
}

export interface TaskResultDeps extends ApplyDeps {
  readonly maxClockSkewMs: number;
  /** Jobs in flight: the batches share them. */
  readonly concurrency: number;
  readonly metrics?: Pick<JobMetrics, 'recordBatch'>;
}

export function taskResultProcessor(deps: TaskResultDeps) {
  const group = new GroupCommit((batch) => {
    deps.metrics?.recordBatch(batch.length);
    return applyTaskResults(deps, batch);
  }, deps.concurrency);
  return async (job: JobLike<TaskResultJobData>): Promise<TaskResultJobResult> => {
    const event = readTaskResultJob(job, deps.maxClockSkewMs);
    return group.apply({ jobId: job.id ?? null, data: job.data, event });
  };
}
