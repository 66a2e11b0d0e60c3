// A batch of events (POST /api/activity-results/tasks/batch): each event read, validated, fingerprinted
// and checked as the single route would, but the checks in two statements for the whole batch, the jobs
// added in one round trip and waited for together. docs/api.md has the contract.
import type { Logger } from '../config/logger';
import { DomainError, fromFailedReason, validationFailed } from '../domain/errors';
import { JsonTooLarge, canonicalJson, parseJsonText } from '../domain/json-text';
import { taskResultBatchJobId, taskResultJobId, type TaskResultJobData } from '../domain/jobs';
import { resultTypeViolations } from '../domain/result-types';
import { parseTaskResult, type TaskResultRules } from '../domain/schemas/task-result';
import { eventFingerprint, sha256Hex, type TaskResultEvent } from '../domain/task-result-event';
import type { ResultTypeDirectory } from '../models/result-type-directory';
import { queuedItem, refusedItem, replayedItem, type BatchItem } from './batch-items';
import type { FastChecks } from './fast-checks';
import { HttpError } from './http-errors';
import type { Finished } from './job-waiter';
import type { ShardedBulkJob, TaskResultQueues } from './task-result-queues';

/** One event's cap, as on the single route. */
const MAX_EVENT_BYTES = 1024 * 1024;

export interface BatchRequest {
  readonly tenantId: string;
  /** Each event's JSON text, as sent, in request order. */
  readonly texts: readonly string[];
  readonly idempotencyKey?: string;
  readonly receivedAt: Date;
  readonly respondAsync: boolean;
  readonly requestId?: string;
}

interface Slot {
  readonly index: number;
  readonly text: string;
  /** What this event counts as in the batch's fingerprint: its value with keys sorted, or its text's hash. */
  readonly canonical: string;
  readonly event?: TaskResultEvent;
  readonly fingerprint?: string;
  answer?: BatchItem;
  jobId?: string;
  /** The first event of the batch with this job. */
  first?: boolean;
}

/** An event's text, parsed and validated; a refusal is its item, a text that is not JSON the batch's 400. */
function readSlot(index: number, text: string, rules: TaskResultRules): Slot {
  const refused = (error: DomainError | HttpError): Slot => ({
    index,
    text,
    canonical: `text:${sha256Hex(text)}`,
    answer: refusedItem(index, error),
  });
  if (Buffer.byteLength(text) > MAX_EVENT_BYTES) return refused(new HttpError(413, 'PAYLOAD_TOO_LARGE', 'the event is larger than 1 MB'));
  let value: unknown;
  try {
    value = parseJsonText(text);
  } catch (error) {
    const why = error instanceof Error ? error.message.slice(0, 200) : 'not JSON';
    if (error instanceof JsonTooLarge) return refused(validationFailed(why, [{ path: '', message: why }]));
    throw new HttpError(400, 'VALIDATION_FAILED', `event ${index} of the batch is not valid JSON: ${why}`, {
      details: [{ path: `[${index}]`, message: why }],
    });
  }
  const canonical = canonicalJson(value);
  try {
    const event = parseTaskResult(value, rules);
    return { index, text, canonical, event, fingerprint: eventFingerprint(event) };
  } catch (error) {
    if (error instanceof DomainError) return { index, text, canonical, answer: refusedItem(index, error) };
    throw error;
  }
}

export interface BatchDeps {
  readonly fastChecks: FastChecks;
  readonly taskResults: TaskResultQueues;
  readonly resultTypes: ResultTypeDirectory;
  readonly maxClockSkewMs: number;
  readonly syncWaitMs: number;
  readonly logger: Logger;
}

export async function ingestBatch(deps: BatchDeps, request: BatchRequest): Promise<BatchItem[]> {
  const { tenantId, idempotencyKey, receivedAt } = request;
  const slots = request.texts.map((text, index) => readSlot(index, text, { now: receivedAt, maxClockSkewMs: deps.maxClockSkewMs }));
  // The key covers the whole batch: bound to it before anything is checked or queued (docs/guarantees.md).
  if (idempotencyKey !== undefined)
    await deps.taskResults.claimBatchKey(tenantId, idempotencyKey, sha256Hex(slots.map((s) => s.canonical).join('\n')));
  await check(deps, tenantId, slots);

  const jobs = jobsOf(slots, request, deps);
  const keyed = idempotencyKey !== undefined;
  let outcomes = new Map<string, Finished>();
  if (request.respondAsync) await deps.taskResults.addBulk(jobs, { keyed });
  else outcomes = await addAndWait(deps, jobs, keyed);
  return slots.map((slot) => slot.answer ?? queuedItem(slot.index, slot.jobId!, outcomes.get(slot.jobId!), slot.first!));
}

/** The fast checks, then the tenant's result types (after the replay check, so a replay stands). */
async function check(deps: BatchDeps, tenantId: string, slots: Slot[]): Promise<void> {
  const valid = slots.filter((s) => s.event !== undefined);
  const { checks, skipped } = await deps.fastChecks.checkMany(
    tenantId,
    valid.map((s) => ({ event: s.event!, fingerprint: s.fingerprint! })),
  );
  if (skipped) deps.logger.warn({ err: skipped }, 'fast checks skipped: database unreachable');
  // Unreadable rules (PostgreSQL down) leave the check to the worker: the events are still queued.
  const rules = valid.length > 0 ? await deps.resultTypes.forTenant(tenantId).catch(() => []) : [];
  valid.forEach((slot, i) => {
    const outcome = checks[i];
    if (outcome.kind === 'replay') slot.answer = replayedItem(slot.index, outcome.result);
    else if (outcome.kind === 'refused') slot.answer = refusedItem(slot.index, outcome.error);
    else {
      const violations = resultTypeViolations(rules, slot.event!);
      if (violations.length > 0)
        slot.answer = refusedItem(
          slot.index,
          validationFailed(`invalid task result: ${violations.map((v) => v.message).join('; ')}`, violations),
        );
    }
  });
}

/**
 * One job per distinct event to queue. Its id comes from the batch's key and the event's place, or from
 * the event's fingerprint as on the single route; the same event twice in the batch is one job.
 */
function jobsOf(slots: Slot[], request: BatchRequest, deps: BatchDeps): ShardedBulkJob[] {
  const { tenantId, idempotencyKey } = request;
  const jobOf = new Map<string, string>();
  const jobs: ShardedBulkJob[] = [];
  for (const slot of slots) {
    if (slot.answer) continue;
    const fingerprint = slot.fingerprint!;
    slot.jobId = jobOf.get(fingerprint);
    slot.first = slot.jobId === undefined;
    if (slot.jobId !== undefined) continue;
    const jobId =
      idempotencyKey === undefined ? taskResultJobId(tenantId, fingerprint) : taskResultBatchJobId(tenantId, idempotencyKey, slot.index);
    jobOf.set(fingerprint, (slot.jobId = jobId));
    // tenantId and fingerprint first: see TaskResultJobData.
    const data: TaskResultJobData = {
      tenantId,
      fingerprint,
      body: slot.text,
      receivedAt: request.receivedAt.toISOString(),
      requestId: request.requestId,
    };
    jobs.push({ data, jobId, shard: deps.taskResults.shardFor(tenantId, slot.event!) });
  }
  return jobs;
}

/**
 * Adds the jobs and waits for all of them at once, up to SYNC_WAIT_MS. A job that had run out of attempts
 * (an outage outlasted them) is sent through again and waited for in the time left, as on the single route.
 */
async function addAndWait(deps: BatchDeps, jobs: ShardedBulkJob[], keyed: boolean): Promise<Map<string, Finished>> {
  const deadline = Date.now() + deps.syncWaitMs;
  const outcomes = await deps.taskResults.addBulkAndWait(jobs, { keyed }, deps.syncWaitMs);
  const exhausted = [...outcomes].filter(([, f]) => f.state === 'failed' && !fromFailedReason(f.reason)).map(([jobId]) => jobId);
  if (exhausted.length === 0) return outcomes;
  for (const jobId of exhausted) outcomes.delete(jobId);
  const shardOf = new Map(jobs.map((job) => [job.jobId, job.shard]));
  const located = exhausted.map((jobId) => ({ jobId, shard: shardOf.get(jobId) }));
  await Promise.all(located.map(({ jobId, shard }) => deps.taskResults.retryFailed(jobId, shard)));
  const again = await deps.taskResults.waitMany(located, Math.max(0, deadline - Date.now()));
  for (const [jobId, finished] of again) outcomes.set(jobId, finished);
  return outcomes;
}
