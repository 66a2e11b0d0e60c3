// bull-board's formatters cover a job's data, return value and name, not its failure reason, stack trace
// or logs, which quote whatever the failing code saw. This pass over the board's API answers redacts those
// too, wherever a job appears: queue listings, a job's own page, scheduler runs and templates, job logs.
import { boardFailedReason, boardJobData } from './board-job-view';
import { redactText } from './board-redaction';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

function redactJob(job: unknown): unknown {
  if (!isObject(job)) return job;
  const out: Json = { ...job };
  if (typeof job.failedReason === 'string') out.failedReason = boardFailedReason(job.failedReason);
  if (typeof job.deferredFailure === 'string') out.deferredFailure = boardFailedReason(job.deferredFailure);
  if (Array.isArray(job.stacktrace)) out.stacktrace = job.stacktrace.map((line) => (typeof line === 'string' ? redactText(line) : line));
  return out;
}

function redactScheduler(scheduler: unknown): unknown {
  if (!isObject(scheduler) || !isObject(scheduler.template)) return scheduler;
  return { ...scheduler, template: { ...scheduler.template, data: boardJobData(scheduler.template.data) } };
}

/** A board API answer's body with every failure text and log line redacted. */
export function redactBoardAnswer<T>(route: string, body: T): T {
  if (route.endsWith('/logs') && Array.isArray(body)) return body.map((line) => (typeof line === 'string' ? redactText(line) : line)) as T;
  if (!isObject(body)) return body;
  const out: Json = { ...body };
  if (Array.isArray(body.queues))
    out.queues = body.queues.map((queue) =>
      isObject(queue) && Array.isArray(queue.jobs) ? { ...queue, jobs: queue.jobs.map(redactJob) } : queue,
    );
  if ('job' in body) out.job = redactJob(body.job);
  if (Array.isArray(body.schedulers)) out.schedulers = body.schedulers.map(redactScheduler);
  return out as T;
}
