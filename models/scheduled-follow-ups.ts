// The pending follow-ups as timers, for the reconciler: one page at a time in due order, so a long list
// never sits in memory at once.
import type { FollowUpJobData } from '../domain/jobs';
import { FollowUp } from './FollowUp';

export interface ScheduledPageCursor {
  readonly scheduledAt: string;
  readonly followUpId: string;
}

export async function scheduledFollowUps(after: ScheduledPageCursor | null, limit: number): Promise<FollowUpJobData[]> {
  const [rows] = await FollowUp.sequelize!.query(
    `SELECT f.id, f.tenant_id, f.scheduled_at, c.external_id
       FROM follow_ups f
       JOIN activity_results r ON r.id = f.result_id
       JOIN commerces c ON c.id = r.commerce_id
      WHERE f.state = 'SCHEDULED' AND ($1::timestamptz IS NULL OR (f.scheduled_at, f.id) > ($1::timestamptz, $2::uuid))
      ORDER BY f.scheduled_at, f.id
      LIMIT $3`,
    { bind: [after?.scheduledAt ?? null, after?.followUpId ?? null, limit] },
  );
  return (rows as Array<{ id: string; tenant_id: string; scheduled_at: Date; external_id: string }>).map((row) => ({
    tenantId: row.tenant_id,
    followUpId: row.id,
    commerceExternalId: row.external_id,
    scheduledAt: row.scheduled_at.toISOString(),
  }));
}
