// One attempt of a task-result job: lock, guard, decide, write, all in one transaction. Running it twice
// for the same event leaves one result and one history row: the second run finds the event's fingerprint
// and answers as a replay. Follow-up timers are added or removed only after commit.
import type { Sequelize } from 'sequelize';
import { validationFailed } from '../domain/errors';
import { bodyTextOfJob, type TaskResultJobData, type TaskResultJobResult } from '../domain/jobs';
import { toResultBody } from '../domain/result-body';
import { resultTypeViolations, type ResultTypeRule } from '../domain/result-types';
import type { TaskResultEvent } from '../domain/task-result-event';
import { placeholderCommerceId } from '../models/placeholder-commerce';
import { findReplayedResult, judgeEvent, lockResultTarget, type ResultTarget } from '../models/result-target';
import type { ResultTypeDirectory } from '../models/result-type-directory';
import { insertResult, isAlreadyInHistory, updateResult, type ResultWrite } from '../models/result-writes';
import { inTransaction, pooledSql, type Sql, type SqlTransaction } from '../models/sql';
import { syncFollowUp, type FollowUpDeps } from './sync-follow-up';

export interface ApplyDeps extends FollowUpDeps {
  readonly sequelize: Sequelize;
  readonly resultTypes: ResultTypeDirectory;
}

type JobInput = { readonly id?: string; readonly data: TaskResultJobData };

// A transaction that loses the race to insert a standalone key's first result runs again at once, and
// finds that result to lock. Past this many losses in a row the job is retried later.
const MAX_RUNS = 5;

/** Other events for the same key kept winning the race to create its result: retried with backoff. */
export class TargetBusy extends Error {
  constructor() {
    super(`lost the race to create the result ${MAX_RUNS} times in a row`);
    this.name = 'TargetBusy';
  }
}

export async function applyTaskResult(deps: ApplyDeps, job: JobInput, event: TaskResultEvent): Promise<TaskResultJobResult> {
  const { tenantId, fingerprint } = job.data;
  const resultTypes = await deps.resultTypes.forTenant(tenantId);
  for (let run = 0; run < MAX_RUNS; run++) {
    try {
      const outcome = await inTransaction(deps.sequelize, (tx) => applyInTransaction(tx, deps, job, event, resultTypes));
      if (outcome) return outcome;
    } catch (error) {
      // The event is in the history under another target: a standalone key since linked to an activity.
      if (!isAlreadyInHistory(error)) throw error;
      const replayed = await findReplayedResult(pooledSql(deps.sequelize), tenantId, fingerprint);
      return { outcome: 'replayed', result: toResultBody(replayed!) };
    }
  }
  throw new TargetBusy();
}

/** The outcome, or undefined when a concurrent transaction created the result this one meant to. */
async function applyInTransaction(
  tx: SqlTransaction,
  deps: FollowUpDeps,
  job: JobInput,
  event: TaskResultEvent,
  resultTypes: readonly ResultTypeRule[],
): Promise<TaskResultJobResult | undefined> {
  const { tenantId, fingerprint, receivedAt } = job.data;
  const target = await lockResultTarget(tx, tenantId, event);
  const judgement = await judgeEvent(tx, tenantId, fingerprint, target, event);
  if ('replayed' in judgement) return { outcome: 'replayed', result: toResultBody(judgement.replayed) };
  assertKnownResultType(resultTypes, event);

  const { activity, result: stored } = target;
  const activityStatus = judgement.decision.activityStatus;
  const write: ResultWrite = { event, bodyText: bodyTextOfJob(job.data), fingerprint, jobId: job.id ?? null, receivedAt, activityStatus };
  // Only a result that had, or now gets, a follow-up date can have follow-up rows to keep in step. For
  // the others the write is the transaction's last statement, and goes out with COMMIT.
  const keepsFollowUpsInStep = Boolean(stored?.futureScheduledAt || event.task_result.future_scheduled_at);
  const writer: Sql = keepsFollowUpsInStep ? tx : { query: tx.queryAndCommit };
  const result = stored ? await updateResult(writer, stored.id, write) : await insertNew(tx, writer, tenantId, target, write);
  if (!result) return undefined;
  const outcome = stored ? 'updated' : 'created';
  if (!keepsFollowUpsInStep) return { outcome, result: toResultBody(result) };
  const status = activityStatus ?? activity?.status ?? null;
  const followUp = await syncFollowUp({ result, activityStatus: status, commerceExternalId: event.commerce_external_id }, tx, deps);
  return { outcome, result: toResultBody(result, followUp) };
}

async function insertNew(tx: SqlTransaction, writer: Sql, tenantId: string, { activity }: ResultTarget, write: ResultWrite) {
  return insertResult(writer, {
    tenantId,
    activityId: activity?.id ?? null,
    providerActivityId: write.event.provider_activity_id ?? activity?.providerActivityId ?? null,
    commerceId: activity?.commerceId ?? (await placeholderCommerceId(tx, tenantId, write.event.commerce_external_id)),
    source: activity ? 'RETEN_ACTIVITY' : 'STANDALONE',
  }, write);
}

function assertKnownResultType(rules: readonly ResultTypeRule[], event: TaskResultEvent): void {
  const violations = resultTypeViolations(rules, event);
  if (violations.length > 0) throw validationFailed(violations.map((v) => v.message).join('; '), violations);
}
