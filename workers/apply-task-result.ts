// One attempt of a task-result job: lock, guard, decide, write, all in one transaction. Running it twice
// for the same event leaves one result and one history row: the second run finds the event's fingerprint
// and answers as a replay. Follow-up timers are added or removed only after commit.
import type { Sequelize, Transaction } from 'sequelize';
import { validationFailed } from '../domain/errors';
import type { TaskResultJobData, TaskResultJobResult } from '../domain/jobs';
import { toResultBody } from '../domain/result-body';
import { resultTypeViolations, type ResultTypeRule } from '../domain/result-types';
import type { TaskResultEvent } from '../domain/task-result-event';
import { ActivityResult, ActivityResultEvent, Commerce } from '../models';
import { findResultTarget, judgeEvent } from '../models/result-target';
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
  const { tenantId, fingerprint, body, receivedAt } = job.data;
  const resultTypes = await deps.resultTypes.forTenant(tenantId);
  return deps.sequelize.transaction(async (transaction) => {
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
            commerceId: activity?.commerceId ?? (await placeholderCommerceId(tenantId, event.commerce_external_id, transaction)),
            source: activity ? 'RETEN_ACTIVITY' : 'STANDALONE',
          },
          { transaction },
        );
    await ActivityResultEvent.create(
      {
        tenantId,
        resultId: result.id,
        occurredAt: new Date(event.occurred_at),
        status: event.status,
        body,
        fingerprint,
        jobId: job.id ?? null,
        receivedAt: new Date(receivedAt),
      },
      { transaction },
    );
    if (activity && decision.activityStatus) await activity.update({ status: decision.activityStatus }, { transaction });
    if (hadFollowUpDate || result.futureScheduledAt) {
      await syncFollowUp({ result, activityStatus: activity?.status ?? null, commerceExternalId: event.commerce_external_id }, transaction, deps);
    }
    return { outcome: stored ? 'updated' : 'created', result: toResultBody(result) };
  });
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

/** A standalone result's commerce, created as a placeholder when the tenant does not know it yet. */
async function placeholderCommerceId(tenantId: string, externalId: string, transaction: Transaction): Promise<string> {
  await Commerce.bulkCreate([{ tenantId, externalId, isPlaceholder: true }], { transaction, ignoreDuplicates: true });
  const commerce = await Commerce.findOne({ where: { tenantId, externalId }, attributes: ['id'], transaction });
  return commerce!.id;
}
