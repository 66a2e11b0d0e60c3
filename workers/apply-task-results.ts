// Applies a batch of task-result events in one transaction: lock every target, judge each event with the
// pure rules, write the results, history rows and activity statuses with one statement, then the
// follow-ups; timers after commit (docs/decisions/007-group-commit.md). Running an event twice leaves
// one result and one history row: the second run finds its fingerprint and answers as a replay.
import { randomUUID } from 'node:crypto';
import type { Sequelize } from 'sequelize';
import { validationFailed } from '../domain/errors';
import { assertResolvable, decideFor, isStale } from '../domain/judgement';
import { bodyTextOfJob, type TaskResultJobData, type TaskResultJobResult } from '../domain/jobs';
import { toResultBody } from '../domain/result-response';
import { resultTypeViolations, type ResultTypeRule } from '../domain/result-types';
import type { Decision } from '../domain/rules';
import type { TaskResultEvent } from '../domain/task-result-event';
import { isDatabaseUnavailable } from '../models/database-errors';
import { placeholderCommerceIds, placeholderKey } from '../models/placeholder-commerce';
import { findReplayedResult, findReplayedResults, replayKey } from '../models/replayed-results';
import { lockResultTargets, targetKeyOf, type ResultTarget } from '../models/target-locks';
import type { ResultTypeDirectory } from '../models/result-type-directory';
import { isAlreadyInHistory, writeResults, type ResultWrite } from '../models/result-writes';
import { inTransaction, sqlOf, type Sql, type SqlTransaction } from '../models/sql';
import { syncFollowUps, type FollowUpDeps, type FollowUpSource } from './apply-follow-ups';

export interface ApplyDeps extends FollowUpDeps {
  readonly sequelize: Sequelize;
  readonly resultTypes: ResultTypeDirectory;
}

/** A job's event, read and validated from its data (domain/jobs.ts). */
export interface PendingEvent {
  readonly jobId: string | null;
  readonly data: TaskResultJobData;
  readonly event: TaskResultEvent;
}

/**
 * What became of one event of a batch: its outcome, the error that fails its job, or `again` when it must
 * go into a later batch: another event of the batch had the same target (`held`), or a concurrent
 * transaction created the result this one meant to (`lostRace`).
 */
export type Settled = { readonly value: TaskResultJobResult } | { readonly error: unknown } | { readonly again: 'held' | 'lostRace' };

/**
 * One outcome per event, in order; never throws. A transaction that fails for the batch (a deadlock, a
 * value PostgreSQL refuses) is run again event by event, so each event's own error fails only its job.
 */
export async function applyTaskResults(deps: ApplyDeps, batch: readonly PendingEvent[]): Promise<Settled[]> {
  try {
    const rules = await rulesByTenant(deps.resultTypes, batch);
    return await inTransaction(deps.sequelize, (tx) => applyInTransaction(tx, deps, batch, rules));
  } catch (error) {
    if (batch.length > 1 && !isDatabaseUnavailable(error)) return oneByOne(deps, batch);
    // The event is in the history under another target: a standalone key since linked to an activity.
    if (batch.length === 1 && isAlreadyInHistory(error)) return [await answerReplay(sqlOf(deps.sequelize), batch[0], error)];
    return batch.map(() => ({ error }));
  }
}

/**
 * One after another, oldest event first as in a batch, on one connection at a time: this is the rare
 * path, and the pool is small.
 */
async function oneByOne(deps: ApplyDeps, batch: readonly PendingEvent[]): Promise<Settled[]> {
  const settled: Settled[] = new Array(batch.length);
  for (const index of byEventTime(batch)) [settled[index]] = await applyTaskResults(deps, [batch[index]]);
  return settled;
}

async function answerReplay(sql: Sql, { data }: PendingEvent, error: unknown): Promise<Settled> {
  const replayed = await findReplayedResult(sql, data.tenantId, data.fingerprint);
  return replayed ? { value: { outcome: 'replayed', result: toResultBody(replayed) } } : { error };
}

async function rulesByTenant(
  directory: ResultTypeDirectory,
  batch: readonly PendingEvent[],
): Promise<Map<string, readonly ResultTypeRule[]>> {
  const tenants = [...new Set(batch.map((p) => p.data.tenantId))];
  return new Map(await Promise.all(tenants.map(async (tenantId) => [tenantId, await directory.forTenant(tenantId)] as const)));
}

interface Accepted {
  readonly index: number;
  readonly target: ResultTarget;
  readonly decision: Decision;
}

async function applyInTransaction(
  tx: SqlTransaction,
  deps: FollowUpDeps,
  batch: readonly PendingEvent[],
  rules: Map<string, readonly ResultTypeRule[]>,
): Promise<Settled[]> {
  const settled: Settled[] = new Array(batch.length);
  const targets = await lockResultTargets(
    tx,
    batch.map((p) => targetKeyOf(p.data.tenantId, p.event)),
  );
  const accepted: Accepted[] = [];
  const stale: number[] = [];
  // One write per target and batch, the oldest event first: a later event for the same target waits
  // for the next batch and is judged against what this one leaves, so the newest event still wins.
  const written = new Set<string>();
  for (const index of byEventTime(batch)) {
    const { data, event } = batch[index];
    const target = targets[index];
    const targetId = target.activity ? `activity ${target.activity.id}` : `key ${data.tenantId} ${event.provider_activity_id}`;
    if (written.has(targetId)) {
      settled[index] = { again: 'held' };
      continue;
    }
    try {
      assertResolvable(event, target.activity);
      const decision = decideFor(target, event);
      assertKnownResultType(rules.get(data.tenantId) ?? [], event);
      accepted.push({ index, target, decision });
      written.add(targetId);
    } catch (error) {
      if (isStale(error)) stale.push(index);
      settled[index] = { error };
    }
  }
  // A known result type is checked after the replay check, so a replay stands.
  const replays = await findReplayedResults(
    tx,
    stale.map((i) => batch[i].data),
  );
  for (const index of stale) {
    const replayed = replays.get(replayKey(batch[index].data.tenantId, batch[index].data.fingerprint));
    if (replayed) settled[index] = { value: { outcome: 'replayed', result: toResultBody(replayed) } };
  }

  const writes = await resultWrites(tx, batch, accepted);
  const rows = await writeResults(tx, writes);
  const applied = accepted.filter((a, n) => {
    if (rows.has(resultIdOf(writes[n]))) return true;
    settled[a.index] = { again: 'lostRace' };
    return false;
  });
  const resultOf = (a: Accepted) => rows.get(resultIdOf(writes[accepted.indexOf(a)]))!;
  // Only a result that had, or now gets, a follow-up date can have follow-up rows to keep in step.
  const keepInStep = applied.filter((a) => a.target.result?.futureScheduledAt || batch[a.index].event.task_result.future_scheduled_at);
  const followUps = await syncFollowUps(
    keepInStep.map((a): FollowUpSource => ({
      result: resultOf(a),
      activityStatus: a.decision.activityStatus ?? a.target.activity?.status ?? null,
      commerceExternalId: batch[a.index].event.commerce_external_id,
    })),
    tx,
    deps,
  );
  for (const a of applied) {
    const n = keepInStep.indexOf(a);
    const result = n < 0 ? toResultBody(resultOf(a)) : toResultBody(resultOf(a), followUps[n]);
    settled[a.index] = { value: { outcome: a.target.result ? 'updated' : 'created', result } };
  }
  return settled;
}

/** The batch's indexes in event-time order (ties in batch order). */
function byEventTime(batch: readonly PendingEvent[]): number[] {
  const time = batch.map((p) => Date.parse(p.event.occurred_at));
  return batch.map((_, i) => i).sort((a, b) => time[a] - time[b] || a - b);
}

const resultIdOf = (write: ResultWrite) => ('resultId' in write.target ? write.target.resultId : write.target.newResultId);

/** The accepted events as writes, in order; new standalone results get their commerce (a placeholder when unknown). */
async function resultWrites(tx: Sql, batch: readonly PendingEvent[], accepted: readonly Accepted[]): Promise<ResultWrite[]> {
  const standalone = accepted.filter((a) => !a.target.result && !a.target.activity).map((a) => batch[a.index]);
  const commerces = await placeholderCommerceIds(
    tx,
    standalone.map((p) => ({ tenantId: p.data.tenantId, externalId: p.event.commerce_external_id })),
  );
  return accepted.map(({ index, target, decision }) => {
    const { data, event, jobId } = batch[index];
    const { activity, result } = target;
    return {
      tenantId: data.tenantId,
      event,
      bodyText: bodyTextOfJob(data),
      fingerprint: data.fingerprint,
      jobId,
      receivedAt: data.receivedAt,
      activityStatus: decision.activityStatus,
      target: result
        ? { resultId: result.id }
        : {
            newResultId: randomUUID(),
            owner: {
              activityId: activity?.id ?? null,
              providerActivityId: event.provider_activity_id ?? activity?.providerActivityId ?? null,
              commerceId: activity?.commerceId ?? commerces.get(placeholderKey(data.tenantId, event.commerce_external_id))!,
              source: activity ? 'RETEN_ACTIVITY' : 'STANDALONE',
            },
          },
    };
  });
}

function assertKnownResultType(rules: readonly ResultTypeRule[], event: TaskResultEvent): void {
  const violations = resultTypeViolations(rules, event);
  if (violations.length > 0) throw validationFailed(violations.map((v) => v.message).join('; '), violations);
}
