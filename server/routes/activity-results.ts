// POST /api/activity-results/tasks, its batch form and a job's status: authenticate → validate → fast
// checks → enqueue → answer. The reading routes are in result-reads.ts.
import { Router, type Response } from 'express';
import { DomainError, fromFailedReason, validationFailed } from '../../domain/errors';
import { taskResultJobId, tenantOfJobId, type TaskResultJobData, type TaskResultJobResult } from '../../domain/jobs';
import { withFollowUp } from '../../domain/result-response';
import { resultTypeViolations } from '../../domain/result-types';
import { parseTaskResult } from '../../domain/schemas/task-result';
import { eventFingerprint, type TaskResultEvent } from '../../domain/task-result-event';
import type { AppDeps } from '../app';
import { FastChecks } from '../fast-checks';
import { serviceUnavailable } from '../http-errors';
import type { Finished } from '../job-waiter';
import { authenticate, principalOf } from '../middleware/auth';
import { batchBody, batchTextsOf } from '../middleware/batch-body';
import { chargeTenant } from '../middleware/rate-limit';
import { countsOf } from '../batch-items';
import { ingestBatch } from '../task-result-batch';
import { bodyTextOf, jsonBody } from '../middleware/require-json';
import { jobStatus } from './job-status';
import { idempotencyKeyOf, wantsAsync } from './request-headers';

export function activityResultsRouter(deps: AppDeps): Router {
  const { apiKeys, resultTypes, taskResults, config, logger } = deps;
  const router = Router();
  const fastChecks = new FastChecks(deps.sequelize);
  const canCreate = authenticate(apiKeys, ['CREATE_ACTIVITY']);
  const canView = authenticate(apiKeys, ['VIEW_ACTIVITIES', 'CREATE_ACTIVITY']);

  function accepted(res: Response, jobId: string): void {
    const statusUrl = `/api/activity-results/jobs/${jobId}`;
    res.status(202).location(statusUrl).json({ jobId, status: 'QUEUED', statusUrl });
  }

  /** The answer of a provider's request that repeats one already applied or already answered. */
  function replayed(res: Response): Response {
    return res.set('Idempotent-Replayed', 'true');
  }

  /** `receivedAt`: when this request came; a job finished before it answers a replay of an earlier request. */
  function answer(res: Response, jobId: string, finished: Finished | undefined, receivedAt: Date): void {
    if (!finished) return accepted(res, jobId);
    if (finished.state === 'completed') {
      const { outcome, result } = finished.value as TaskResultJobResult;
      if (outcome === 'replayed' || (finished.finishedOn !== undefined && finished.finishedOn < receivedAt.getTime())) replayed(res);
      if (outcome === 'created') res.status(201).location(`/api/activity-results/${result.id}`);
      res.json(withFollowUp(result));
      return;
    }
    throw fromFailedReason(finished.reason) ?? serviceUnavailable('the event could not be applied yet, retry later', 30);
  }

  /** A tenant with result types takes only their codes: checked after the replay check, so a replay stands. */
  async function assertKnownResultType(tenantId: string, event: TaskResultEvent): Promise<void> {
    // Unreadable rules (PostgreSQL down) leave the check to the worker: the event is still queued.
    const rules = await resultTypes.forTenant(tenantId).catch(() => []);
    const violations = resultTypeViolations(rules, event);
    if (violations.length > 0) throw validationFailed(`invalid task result: ${violations.map((v) => v.message).join('; ')}`, violations);
  }

  router.post('/tasks', canCreate, ...jsonBody, async (req, res) => {
    res.vary('Prefer');
    const { tenantId } = principalOf(res);
    const receivedAt = deps.clock();
    const event = parseTaskResult(req.body, { now: receivedAt, maxClockSkewMs: config.maxClockSkewMs });
    const fingerprint = eventFingerprint(event);
    const idempotencyKey = idempotencyKeyOf(req);
    const jobId = taskResultJobId(tenantId, fingerprint, idempotencyKey);
    const keyed = idempotencyKey !== undefined;
    const shard = taskResults.shardFor(tenantId, event);

    // The key's own job (or binding) says first whether the key was used for another body; add checks again.
    if (keyed) await taskResults.assertKeyFree(tenantId, idempotencyKey, jobId, fingerprint);
    const check = await fastChecks.check(tenantId, event, fingerprint);
    if (check.kind === 'replay') return void replayed(res).status(200).json(check.result);
    if (check.skipped) logger.warn({ err: check.skipped }, 'fast checks skipped: database unreachable');
    await assertKnownResultType(tenantId, event);

    // tenantId and fingerprint first: see TaskResultJobData.
    const data: TaskResultJobData = {
      tenantId,
      fingerprint,
      body: bodyTextOf(res),
      receivedAt: receivedAt.toISOString(),
      requestId: res.locals.requestId,
    };
    if (wantsAsync(req)) {
      await taskResults.add(data, jobId, { keyed, shard });
      res.set('Preference-Applied', 'respond-async');
      return accepted(res, jobId);
    }
    let finished = await taskResults.addAndWait(data, jobId, { keyed, shard }, config.syncWaitMs);
    if (finished?.state === 'failed' && !fromFailedReason(finished.reason)) {
      // An earlier copy of this event ran out of attempts during an outage: run it again.
      await taskResults.retryFailed(jobId, shard);
      finished = await taskResults.wait(jobId, config.syncWaitMs, shard);
    }
    answer(res, jobId, finished, receivedAt);
  });

  const batchDeps = { fastChecks, taskResults, resultTypes, maxClockSkewMs: config.maxClockSkewMs, syncWaitMs: config.syncWaitMs, logger };
  router.post('/tasks/batch', canCreate, ...batchBody, async (req, res) => {
    res.vary('Prefer');
    const texts = batchTextsOf(res);
    // authenticate charged the request 1; a batch counts as its events (docs/limits.md).
    if (texts.length > 1) await chargeTenant(apiKeys.limiter, res, texts.length - 1);
    const respondAsync = wantsAsync(req);
    const items = await ingestBatch(batchDeps, {
      tenantId: principalOf(res).tenantId,
      texts,
      idempotencyKey: idempotencyKeyOf(req),
      receivedAt: deps.clock(),
      respondAsync,
      requestId: res.locals.requestId,
    });
    if (respondAsync) res.set('Preference-Applied', 'respond-async');
    res.status(respondAsync ? 202 : 200).json({ items, counts: countsOf(items) });
  });

  router.get('/jobs/:jobId', canView, async (req, res) => {
    const { tenantId } = principalOf(res);
    const jobId = String(req.params.jobId);
    const found = tenantOfJobId(jobId) === tenantId ? await taskResults.getJobWithState(jobId) : undefined;
    if (!found) throw new DomainError('JOB_NOT_FOUND', `job ${jobId} not found`);
    res.json(jobStatus(found.job, found.state));
  });

  return router;
}
