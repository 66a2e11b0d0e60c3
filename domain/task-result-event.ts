// The canonical form of one POST /api/activity-results/tasks body, after validation. Dates are ISO
// strings (UTC, milliseconds) so the same event always serializes, and fingerprints, the same way.
import { createHash } from 'node:crypto';
import { canonicalJson } from './json-text';
import type { ContactType, ResultStatus } from './statuses';

export interface TaskDetailsInput {
  readonly result: string;
  readonly comment?: string;
  readonly contact_type?: ContactType;
  readonly operator_external_id?: string;
  readonly future_scheduled_at?: string;
  readonly payload?: Record<string, unknown>;
}

export interface TaskResultEvent {
  readonly activity_id?: string;
  readonly provider_activity_id?: string;
  readonly commerce_external_id: string;
  readonly occurred_at: string;
  readonly status: ResultStatus;
  readonly external_status?: string;
  readonly hard_override: boolean;
  readonly raw_payload?: Record<string, unknown>;
  readonly task_result: TaskDetailsInput;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function eventFingerprint(event: TaskResultEvent): string {
  return sha256Hex(canonicalJson(event));
}
