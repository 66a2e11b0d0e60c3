// Read-only checks before enqueueing, so providers get an immediate 404/409 for what is certain to fail.
// The worker checks everything again under locks. If PostgreSQL cannot be reached the checks are skipped:
// the queue exists to absorb outages.
import { DomainError } from '../domain/errors';
import { toResultBody, type ResultBody } from '../domain/result-body';
import { decide, incomingEvent } from '../domain/rules';
import type { TaskResultEvent } from '../domain/task-result-event';
import { findReplayedResult, findResultTarget } from '../models/result-target';

export type FastCheck = { readonly kind: 'replay'; readonly result: ResultBody } | { readonly kind: 'enqueue'; readonly skipped?: Error };

export async function fastCheck(tenantId: string, event: TaskResultEvent, fingerprint: string): Promise<FastCheck> {
  try {
    // Target first, then the replay check: a result committed in between comes with its history row,
    // so a concurrent copy of this very event is seen as a replay rather than as stale.
    const { activity, result } = await findResultTarget(tenantId, event);
    const replayed = result && (await findReplayedResult(tenantId, fingerprint));
    if (replayed) return { kind: 'replay', result: toResultBody(replayed) };
    decide({
      stored: result && { status: result.resultStatus, occurredAt: result.occurredAt },
      activityStatus: activity?.status ?? null,
      event: incomingEvent(event),
    });
    return { kind: 'enqueue' };
  } catch (error) {
    if (error instanceof DomainError) throw error;
    return { kind: 'enqueue', skipped: error as Error };
  }
}
