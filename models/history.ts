import type { Sql } from './sql';

export interface AppliedEvent {
  readonly tenantId: string;
  readonly resultId: string;
  readonly occurredAt: string;
  readonly status: string;
  /** The request body as received. */
  readonly body: unknown;
  readonly fingerprint: string;
  readonly jobId: string | null;
  readonly receivedAt: string;
}

const APPEND = {
  name: 'append-event',
  text: `INSERT INTO activity_result_events (tenant_id, result_id, occurred_at, status, body, fingerprint, job_id, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (tenant_id, fingerprint) DO NOTHING
         RETURNING id`,
};

/** Appends one history row; false when an event with this fingerprint is in the history already. */
export async function appendEvent(tx: Sql, event: AppliedEvent): Promise<boolean> {
  const rows = await tx.query(APPEND, [
    event.tenantId, event.resultId, event.occurredAt, event.status, JSON.stringify(event.body), event.fingerprint, event.jobId, event.receivedAt,
  ]);
  return rows.length === 1;
}
