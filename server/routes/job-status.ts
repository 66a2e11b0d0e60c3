import type { Job, JobState } from 'bullmq';
import { fromFailedReason } from '../../domain/errors';
import type { TaskResultJobResult } from '../../domain/jobs';
import { withFollowUp } from '../../domain/result-response';

const STATES: Record<string, string> = {
  waiting: 'QUEUED',
  prioritized: 'QUEUED',
  'waiting-children': 'QUEUED',
  active: 'ACTIVE',
  delayed: 'DELAYED',
  completed: 'COMPLETED',
  failed: 'FAILED',
};

/** GET /api/activity-results/jobs/:jobId body. A failure that is not the event's fault reads as a 503. */
export function jobStatus(job: Job<unknown, TaskResultJobResult>, jobState: JobState) {
  const state = STATES[jobState] ?? 'QUEUED';
  const failure = state === 'FAILED' ? fromFailedReason(job.failedReason) : undefined;
  return {
    jobId: job.id,
    state,
    attempts: job.attemptsMade,
    result: state === 'COMPLETED' ? withFollowUp(job.returnvalue.result) : null,
    error:
      state !== 'FAILED'
        ? null
        : failure
          ? { statusCode: failure.status, code: failure.code, message: failure.message }
          : { statusCode: 503, code: 'SERVICE_UNAVAILABLE', message: 'the event could not be applied; send it again to retry' },
  };
}
