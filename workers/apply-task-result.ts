// One attempt of a task-result job: lock, guard, decide, write, all in one transaction. Running it twice
// for the same event leaves one result and one history row: the second run finds the event's fingerprint
// and answers as a replay. Follow-up timers are added or removed only after commit.
import type { Sequelize } from 'sequelize';
import { validationFailed } from '../domain/errors';
import type { TaskResultJobData, TaskResultJobResult } from '../domain/jobs';
import { toResultBody } from '../domain/result-body';
import { resultTypeViolations, type ResultTypeRule } from '../domain/result-types';
import type { TaskResultEvent } from '../domain/task-result-event';
import { appendEvent } from '../models/history';
import { placeholderCommerceId } from '../models/placeholder-commerce';
import { findReplayedResult, judgeEvent, lockResultTarget } from '../models/result-target';
import type { ResultTypeDirectory } from '../models/result-type-directory';
import { insertResult, setActivityStatus, updateResult } from '../models/result-writes';
import { inTransaction, withSql, type SqlTransaction } from '../models/sql';
import { syncFollowUp, type FollowUpDeps } from './sync-follow-up';

export interface ApplyDeps extends FollowUpDeps {
  readonly sequelize: Sequelize;
  readonly resultTypes: ResultTypeDirectory;
}

type JobInput = { readonly id?: string; readonly data: TaskResultJobData };

export async function applyTaskResult(deps: ApplyDeps, job: JobInput, event: TaskResultEvent): Promise<TaskResultJobResult> {
  const { tenantId, fingerprint } = job.data;
  const resultTypes = await deps.resultTypes.forTenant(tenantId);
  try {
    return await inTransaction(deps.sequelize, (tx) => applyInTransaction(tx, deps, job, event, resultTypes));
  } catch (error) {
    if (!(error instanceof AlreadyInHistory)) throw error;
    const replayed = await withSql(deps.sequelize, (sql) => findReplayedResult(sql, tenantId, fingerprint));
    return { outcome: 'replayed', result: toResultBody(replayed!) };
  }
}

/** The event is in the history under another target: a standalone key since linked to an activity. */
class AlreadyInHistory extends Error {}

async function applyInTransaction(
  tx: SqlTransaction,
  deps: FollowUpDeps,
  job: JobInput,
  event: TaskResultEvent,
  resultTypes: readonly ResultTypeRule[],
): Promise<TaskResultJobResult> {
  const { tenantId, fingerprint, body, receivedAt } = job.data;
  const target = await lockResultTarget(tx, tenantId, event);
  const judgement = await judgeEvent(tx, tenantId, fingerprint, target, event);
  if ('replayed' in judgement) return { outcome: 'replayed', result: toResultBody(judgement.replayed) };
  const { activity, result: stored } = target;
  const { decision } = judgement;
  assertKnownResultType(resultTypes, event);

  const result = stored
    ? await updateResult(tx, stored.id, event)
    : await insertResult(tx, {
        tenantId,
        activityId: activity?.id ?? null,
        providerActivityId: event.provider_activity_id ?? activity?.providerActivityId ?? null,
        commerceId: activity?.commerceId ?? (await placeholderCommerceId(tx, tenantId, event.commerce_external_id)),
        source: activity ? 'RETEN_ACTIVITY' : 'STANDALONE',
      }, event);
  const appended = await appendEvent(tx, {
    tenantId, resultId: result.id, occurredAt: event.occurred_at, status: event.status, body, fingerprint, jobId: job.id ?? null, receivedAt,
  });
  if (!appended) throw new AlreadyInHistory();
  if (activity && decision.activityStatus) await setActivityStatus(tx, activity.id, decision.activityStatus);
  // Only a result that had, or now gets, a follow-up date can have follow-up rows to keep in step.
  if (stored?.futureScheduledAt || result.futureScheduledAt) {
    const activityStatus = decision.activityStatus ?? activity?.status ?? null;
    await syncFollowUp({ result, activityStatus, commerceExternalId: event.commerce_external_id }, tx, deps);
  }
  return { outcome: stored ? 'updated' : 'created', result: toResultBody(result) };
}

function assertKnownResultType(rules: readonly ResultTypeRule[], event: TaskResultEvent): void {
  const violations = resultTypeViolations(rules, event);
  if (violations.length > 0) throw validationFailed(violations.map((v) => v.message).join('; '), violations);
}
