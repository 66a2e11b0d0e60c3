// Processor for the reconciler's jobs: PostgreSQL is the source of truth for follow-ups, so every
// SCHEDULED row whose timer is missing from Redis (data lost, or an add after commit that failed) gets
// it back. Adding an existing job id is a no-op, so racing a fresh add or another reconciler is harmless.
import type { Logger } from '../../config/logger';
import { scheduledFollowUps, type ScheduledPageCursor } from '../../models/scheduled-follow-ups';
import type { FollowUpTimers } from '../follow-up-timers';

export interface ReconcileOutcome {
  readonly checked: number;
  readonly restored: number;
}

export function reconcileFollowUpsProcessor(deps: { timers: FollowUpTimers; logger: Logger; pageSize?: number }) {
  const pageSize = deps.pageSize ?? 500;
  return async (): Promise<ReconcileOutcome> => {
    let checked = 0;
    let restored = 0;
    let after: ScheduledPageCursor | null = null;
    for (;;) {
      const page = await scheduledFollowUps(after, pageSize);
      if (page.length === 0) break;
      const missing = new Set(await deps.timers.missing(page.map((f) => f.followUpId)));
      for (const followUp of page.filter((f) => missing.has(f.followUpId))) await deps.timers.schedule(followUp);
      checked += page.length;
      restored += missing.size;
      const last = page[page.length - 1];
      after = { scheduledAt: last.scheduledAt, followUpId: last.followUpId };
    }
    if (restored > 0) deps.logger.warn({ checked, restored }, 'restored follow-up timers missing from Redis');
    return { checked, restored };
  };
}
