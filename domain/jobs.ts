// The job contract shared by the producers (server/, workers/follow-up-jobs.ts) and the processors
// (workers/): queue names, job kinds, what BullMQ is told about each kind, payloads and job ids. Queue and
// job names are stable strings: renaming one strands the jobs already in Redis.
import { DomainError } from './errors';
import { parseJsonText } from './json-text';
import { parseTaskResult } from './schemas/task-result';
import { eventFingerprint, sha256Hex, type TaskResultEvent } from './task-result-event';
import type { ResultBody } from './result-response';

export const QUEUES = {
  activityResults: 'activity-results',
  followUps: 'follow-ups',
} as const;

/**
 * A job's BullMQ name is its kind, which the workers dispatch on; what a job is about (tenant, activity,
 * due time) is in its data, and Bull Board shows it from there (server/board-job-view.ts).
 */
export const JOB_NAMES = {
  taskResult: 'task-result',
  followUp: 'follow-up',
  reconcileFollowUps: 'reconcile-follow-ups',
} as const;

export type JobName = (typeof JOB_NAMES)[keyof typeof JOB_NAMES];

const JOB_KINDS: ReadonlySet<string> = new Set(Object.values(JOB_NAMES));

/**
 * The kind of a job, by its name. Jobs queued when names were the board's text ("follow-up · tenant 1a2b…
 * · commerce … · due …", "task-result · tenant … · key … · COMPLETED") still carry it: the text begins
 * with the kind, so they are read as that kind. Undefined: no job kind of this service.
 */
export function jobKindOf(name: string): JobName | undefined {
  const kind = name.split(' · ', 1)[0];
  return JOB_KINDS.has(kind) ? (kind as JobName) : undefined;
}

/** What BullMQ is told about a job, in its own words (BullMQ's JobsOptions), without importing it here. */
export interface JobOptions {
  readonly attempts?: number;
  readonly backoff?: { readonly type: 'exponential'; readonly delay: number; readonly jitter: number };
  readonly removeOnComplete: { readonly age?: number; readonly count?: number };
  readonly removeOnFail: { readonly age?: number; readonly count?: number };
}

const DAY_SECONDS = 24 * 3600;

/**
 * Each kind's attempts, backoff and retention, which every producer of that kind uses (docs/api.md,
 * Jobs). Transient failures retry with exponential backoff and jitter; finished jobs stay a day and failed
 * ones two weeks, so Bull Board and a provider asking after its job still find them. The reconciler runs
 * every minute: its last fifty runs say enough.
 */
export const JOB_OPTIONS = {
  [JOB_NAMES.taskResult]: {
    attempts: 8,
    backoff: { type: 'exponential', delay: 4_000, jitter: 0.5 },
    removeOnComplete: { age: DAY_SECONDS },
    removeOnFail: { age: 14 * DAY_SECONDS },
  },
  [JOB_NAMES.followUp]: {
    attempts: 8,
    backoff: { type: 'exponential', delay: 5_000, jitter: 0.5 },
    removeOnComplete: { age: DAY_SECONDS },
    removeOnFail: { age: 14 * DAY_SECONDS },
  },
  [JOB_NAMES.reconcileFollowUps]: {
    removeOnComplete: { count: 50 },
    removeOnFail: { age: 14 * DAY_SECONDS },
  },
} as const satisfies Record<JobName, JobOptions>;

/**
 * No API key or other secret ever goes into job data. The event is in it once, as the request's JSON
 * text: the worker validates that text again (readTaskResultJob), so a job altered by hand is refused
 * rather than applied, and numbers reach PostgreSQL exactly as sent. Keep `tenantId` and `fingerprint`
 * first: the producer reads the fingerprint of a stored job without parsing the whole body.
 */
export interface TaskResultJobData {
  readonly tenantId: string;
  /** Of the canonical event. */
  readonly fingerprint: string;
  /** The request body as received, as JSON text. Jobs queued before it was text hold the parsed body. */
  readonly body: string | object;
  /** When the API accepted the event; the clock-skew rule is judged against it. */
  readonly receivedAt: string;
  readonly requestId?: string;
  /** Only in jobs queued before the body was kept as text: the canonical event the API validated. */
  readonly event?: TaskResultEvent;
}

export type TaskResultOutcome = 'created' | 'updated' | 'replayed';

export interface TaskResultJobResult {
  readonly outcome: TaskResultOutcome;
  readonly result: ResultBody;
}

/**
 * One job per event: the id comes from the Idempotency-Key when the provider sends one, else from the
 * event's fingerprint, so a retried request finds its job instead of adding a second. BullMQ ids may not
 * contain ':'; tenant ids are uuids and the rest is hex.
 */
export function taskResultJobId(tenantId: string, fingerprint: string, idempotencyKey?: string): string {
  return idempotencyKey === undefined
    ? `tr-${tenantId}-f${fingerprint.slice(0, 40)}`
    : `tr-${tenantId}-k${sha256Hex(idempotencyKey).slice(0, 40)}`;
}

/**
 * The job of the event at `index` of a batch sent with an Idempotency-Key: the key covers the whole batch,
 * so each event's id comes from the key and its place in it. A header value holds no line break, so no
 * single event's key makes the same id.
 */
export function taskResultBatchJobId(tenantId: string, idempotencyKey: string, index: number): string {
  return `tr-${tenantId}-k${sha256Hex(`${idempotencyKey}\n${index}`).slice(0, 40)}`;
}

/** Tenant id of a task-result job id, so a job can be shown only to its own tenant. */
export function tenantOfJobId(jobId: string): string | undefined {
  return /^tr-([0-9a-f-]{36})-[fk][0-9a-f]{40}$/.exec(jobId)?.[1];
}

const invalidJob = (why: string) => new DomainError('JOB_DATA_INVALID', `the job does not hold the event it was queued with: ${why}`);

/** The JSON text of a job's body, whichever way it was queued. */
export function bodyTextOfJob(data: Pick<TaskResultJobData, 'body'>): string {
  return typeof data.body === 'string' ? data.body : JSON.stringify(data.body);
}

/**
 * The event a task-result job carries, validated again and checked against what the API recorded when it
 * queued the job: its tenant (in the job id) and the fingerprint. The clock-skew rule is judged against
 * the time the API accepted the event, so a job that waited out an outage is not refused.
 */
export function readTaskResultJob(
  job: { readonly id?: string; readonly data: TaskResultJobData },
  maxClockSkewMs: number,
): TaskResultEvent {
  const { data } = job;
  if (job.id === undefined || tenantOfJobId(job.id) !== data.tenantId) throw invalidJob('its tenant is not the one in its id');
  let body: unknown;
  try {
    body = typeof data.body === 'string' ? parseJsonText(data.body) : data.body;
  } catch {
    throw invalidJob('its body is not JSON');
  }
  const event = parseTaskResult(body, { now: new Date(data.receivedAt), maxClockSkewMs });
  // Jobs queued before the body was text were fingerprinted without keys named __proto__; they are not
  // checked, rather than refused for that.
  if (data.event === undefined && eventFingerprint(event) !== data.fingerprint) throw invalidJob('its body is not the one fingerprinted');
  return event;
}

/**
 * A follow-up's timer. The row in `follow_ups` is the source of truth: the processor reads it again and
 * acts only while it is SCHEDULED. The rest is here so Bull Board shows what the job is for.
 */
export interface FollowUpJobData {
  readonly tenantId: string;
  readonly followUpId: string;
  readonly commerceExternalId: string;
  /** When the follow-up activity is due (ISO 8601, UTC). */
  readonly scheduledAt: string;
}

export type FollowUpOutcome = 'created' | 'skipped';

export interface FollowUpJobResult {
  readonly outcome: FollowUpOutcome;
  /** The row's state after the job: CREATED, SUPERSEDED, or null when the row is gone. */
  readonly state: string | null;
  readonly activityId: string | null;
}

/** One job per follow_ups row, so adding it again (after commit, by the reconciler) is a no-op. */
export function followUpJobId(followUpId: string): string {
  return `fu-${followUpId}`;
}

/** The job scheduler that re-creates timers lost with Redis data; its jobs are `reconcile-follow-ups`. */
export const FOLLOW_UP_RECONCILER = {
  schedulerId: 'follow-up-reconciler',
  everyMs: 60_000,
} as const;
