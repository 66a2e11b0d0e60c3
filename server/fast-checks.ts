// Read-only checks before enqueueing, so providers get an immediate 404/409 for what is certain to fail.
// The worker checks everything again under locks. If PostgreSQL cannot be reached the checks are skipped:
// the queue exists to absorb outages.
import { DomainError } from '../domain/errors';
import { toResultBody, type ResultBody } from '../domain/result-body';
import type { TaskResultEvent } from '../domain/task-result-event';
import { findResultTarget, judgeEvent } from '../models/result-target';

export type FastCheck = { readonly kind: 'replay'; readonly result: ResultBody } | { readonly kind: 'enqueue'; readonly skipped?: Error };

export async function fastCheck(tenantId: string, event: TaskResultEvent, fingerprint: string): Promise<FastCheck> {
  try {
    const judgement = await judgeEvent(tenantId, fingerprint, await findResultTarget(tenantId, event), event);
    if ('replayed' in judgement) return { kind: 'replay', result: toResultBody(judgement.replayed) };
    return { kind: 'enqueue' };
  } catch (error) {
    if (error instanceof DomainError) throw error;
    return { kind: 'enqueue', skipped: error as Error };
  }
}
