// The follow-ups queue carries two kinds of job, told apart by their name (domain/jobs.ts): a follow-up's
// timer and a run of the reconciler. A job of any other name was not queued by this service (added by
// hand, or by a newer version on the same Redis): it fails at once, as a job with junk data does, rather
// than spend its attempts on something no attempt can do.
import { DomainError } from '../domain/errors';
import { JOB_NAMES, QUEUES, jobKindOf } from '../domain/jobs';

export interface FollowUpsHandlers<J> {
  followUp(job: J): Promise<unknown>;
  reconcile(): Promise<unknown>;
}

/** The follow-ups worker's processor: each job to the handler of its kind. */
export function dispatchFollowUps<J extends { readonly name: string }>(handlers: FollowUpsHandlers<J>): (job: J) => Promise<unknown> {
  return async (job) => {
    const kind = jobKindOf(job.name);
    switch (kind) {
      case JOB_NAMES.followUp:
        return handlers.followUp(job);
      case JOB_NAMES.reconcileFollowUps:
        return handlers.reconcile();
      case JOB_NAMES.taskResult:
      case undefined:
        throw new DomainError('JOB_DATA_INVALID', `the ${QUEUES.followUps} queue has no job kind named "${job.name.slice(0, 100)}"`);
    }
  };
}
