// One attempt of a task-result job: lock, guard, decide, write, all in one transaction. Running it twice
// for the same event leaves one result and one history row: the second run finds the event's fingerprint
// and answers as a replay. Follow-up timers are added or removed only after commit.
import type { Sequelize, Transaction } from 'sequelize';
import { validationFailed } from '../domain/errors';
import type { TaskResultJobData, TaskResultJobResult } from '../domain/jobs';
import { toResultBody } from '../domain/result-body';
import { resultTypeViolations, type ResultTypeRule } from '../domain/result-types';
import type { TaskResultEvent } from '../domain/task-result-event';
import { ActivityResult } from '../models';
import { appendEvent } from '../models/history';
import { placeholderCommerceId } from '../models/placeholder-commerce';
import { findReplayedResult, findResultTarget, judgeEvent } from '../models/result-target';
import type { ResultTypeDirectory } from '../models/result-type-directory';
import { syncFollowUp, type FollowUpDeps } from './sync-follow-up';

export interface ApplyDeps extends FollowUpDeps {
  readonly sequelize: Sequelize;
  readonly resultTypes: ResultTypeDirectory;
}

export async function applyTaskResult(
  deps: ApplyDeps,
  job: { readonly id?: string; readonly data: TaskResultJobData },
  event: TaskResultEvent,
): Promise<TaskResultJobResult> {
  const { tenantId, fingerprint } = job.data;
  const resultTypes = await deps.resultTypes.forTenant(tenantId);
  try {
    return await deps.sequelize.transaction((transaction) => applyInTransaction(deps, job, event, resultTypes, transaction));
  } catch (error) {
    if (!(error instanceof AlreadyInHistory)) throw error;
    const replayed = await findReplayedResult(tenantId, fingerprint);
    return { outcome: 'replayed', result: toResultBody(replayed!) };
  }
}

/** The event is in the history under another target: a standalone key since linked to an activity. */
class AlreadyInHistory extends Error {}

async function applyInTransaction(
  deps: ApplyDeps,
  job: { readonly id?: string; readonly data: TaskResultJobData },
  event: TaskResultEvent,
  resultTypes: readonly ResultTypeRule[],
  transaction: Transaction,
): Promise<TaskResultJobResult> {
  const { sequelize } = deps;
  const { tenantId, fingerprint, body, receivedAt } = job.data;
  const target = await findResultTarget(tenantId, event, { transaction });
  const judgement = await judgeEvent(tenantId, fingerprint, target, event, transaction);
  if ('replayed' in judgement) return { outcome: 'replayed', result: toResultBody(judgement.replayed) };
  const { activity, result: stored } = target;
  const { decision } = judgement;
  assertKnownResultType(resultTypes, event);
  // Only a result that had, or now gets, a follow-up date can have follow-up rows to keep in step.
  const hadFollowUpDate = stored?.futureScheduledAt != null;

  const fields = resultFields(event);
  const result = stored
    ? await stored.update(fields, { transaction })
    : await ActivityResult.create(
        {
          ...fields,
          tenantId,
          activityId: activity?.id ?? null,
          providerActivityId: event.provider_activity_id ?? activity?.providerActivityId ?? null,
          commerceId: activity?.commerceId ?? (await placeholderCommerceId(sequelize, tenantId, event.commerce_external_id, transaction)),
          source: activity ? 'RETEN_ACTIVITY' : 'STANDALONE',
        },
        { transaction },
      );
  const appended = await appendEvent(
    sequelize,
    { tenantId, resultId: result.id, occurredAt: event.occurred_at, status: event.status, body, fingerprint, jobId: job.id ?? null, receivedAt },
    transaction,
  );
  if (!appended) throw new AlreadyInHistory();
  if (activity && decision.activityStatus) await activity.update({ status: decision.activityStatus }, { transaction });
  if (hadFollowUpDate || result.futureScheduledAt) {
    await syncFollowUp({ result, activityStatus: activity?.status ?? null, commerceExternalId: event.commerce_external_id }, transaction, deps);
  }
  return { outcome: stored ? 'updated' : 'created', result: toResultBody(result) };
}

/** The result reflects the last applied event: fields the event leaves out are cleared. */
function resultFields(event: TaskResultEvent) {
  const task = event.task_result;
  return {
    resultStatus: event.status,
    externalStatus: event.external_status ?? null,
    occurredAt: new Date(event.occurred_at),
    hardOverride: event.hard_override,
    rawPayload: event.raw_payload ?? null,
    taskResult: task.result,
    taskComment: task.comment ?? null,
    contactType: task.contact_type ?? null,
    operatorExternalId: task.operator_external_id ?? null,
    futureScheduledAt: task.future_scheduled_at ? new Date(task.future_scheduled_at) : null,
    taskPayload: task.payload ?? null,
  };
}

function assertKnownResultType(rules: readonly ResultTypeRule[], event: TaskResultEvent): void {
  const violations = resultTypeViolations(rules, event);
  if (violations.length > 0) throw validationFailed(violations.map((v) => v.message).join('; '), violations);
}
