import type { Sequelize, Transaction } from 'sequelize';

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

const APPEND = `
  INSERT INTO activity_result_events (tenant_id, result_id, occurred_at, status, body, fingerprint, job_id, received_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
  ON CONFLICT (tenant_id, fingerprint) DO NOTHING
  RETURNING id`;

/** Appends one history row; false when an event with this fingerprint is in the history already. */
export async function appendEvent(sequelize: Sequelize, event: AppliedEvent, transaction: Transaction): Promise<boolean> {
  const [rows] = await sequelize.query(APPEND, {
    bind: [event.tenantId, event.resultId, event.occurredAt, event.status, JSON.stringify(event.body), event.fingerprint, event.jobId, event.receivedAt],
    transaction,
  });
  return (rows as unknown[]).length === 1;
}
