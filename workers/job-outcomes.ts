// One log line and one metrics sample per job outcome (completed, failed for good, or retried), with the
// job id, tenant, attempt, outcome code and the request id of the HTTP request that queued the job, so
// one event can be followed from the API to the database.
import { UnrecoverableError, type Job, type Worker } from 'bullmq';
import type { Logger } from '../config/logger';
import { fromFailedReason } from '../domain/errors';
import { classify } from './classify';
import type { JobMetrics, JobOutcome } from './job-metrics';

interface Traced {
  readonly tenantId?: unknown;
  readonly requestId?: unknown;
}

function context(worker: Worker, job: Job) {
  const data = (job.data ?? {}) as Traced;
  return { queue: worker.name, jobId: job.id, tenantId: data.tenantId, requestId: data.requestId, attempt: job.attemptsMade };
}

/** The code of a completed job: what its processor reports as its outcome ("created", "updated", ...). */
function completedCode(result: unknown): string {
  const outcome = (result as { outcome?: unknown } | undefined)?.outcome;
  return typeof outcome === 'string' ? outcome.toUpperCase() : 'OK';
}

/** Domain failures end as UnrecoverableError("CODE: message") (see `classified`); the classifier names the rest. */
function failureCode(error: Error): { code: string; domain: boolean } {
  if (error instanceof UnrecoverableError) {
    const domain = fromFailedReason(error.message);
    return { code: domain?.code ?? 'UNRECOVERABLE', domain: domain !== undefined };
  }
  const verdict = classify(error);
  return { code: verdict.retry ? verdict.code : verdict.error.code, domain: !verdict.retry };
}

function secondsSince(job: Job, end = Date.now()): number {
  return job.processedOn ? (end - job.processedOn) / 1000 : 0;
}

export function watchOutcomes(worker: Worker, logger: Logger, metrics: JobMetrics): void {
  worker.on('completed', (job, result) => {
    const code = completedCode(result);
    const seconds = secondsSince(job, job.finishedOn);
    metrics.record(worker.name, 'completed', code, seconds);
    if (logger.isLevelEnabled('info'))
      logger.info({ ...context(worker, job), outcome: 'completed', code, ms: Math.round(seconds * 1000) }, 'job completed');
  });
  worker.on('failed', (job, error) => {
    if (!job) return; // a failure outside any job: the 'error' handler logs those
    const { code, domain } = failureCode(error);
    // BullMQ has counted this attempt by now: another one follows unless attempts ran out or the
    // processor gave up on the job.
    const retried = !(error instanceof UnrecoverableError) && job.attemptsMade < (job.opts.attempts ?? 1);
    const outcome: JobOutcome = retried ? 'retried' : 'failed';
    const seconds = secondsSince(job, job.finishedOn);
    metrics.record(worker.name, outcome, code, seconds);
    const line = { ...context(worker, job), outcome, code, ms: Math.round(seconds * 1000), reason: job.failedReason };
    if (retried) logger.warn({ ...line, err: error }, 'job attempt failed, will retry');
    else if (domain) logger.info(line, 'job failed');
    else logger.error({ ...line, err: error }, 'job failed after its last attempt');
  });
}
