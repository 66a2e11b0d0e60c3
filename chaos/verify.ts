// The final state against the ledger, once the queue has drained.
//   lost        an acknowledged event that is not in the history and was not legitimately superseded
//               (its job failed STALE_EVENT and the key's result is newer)
//   duplicated  a key with more than one result, an event (fingerprint) with more than one history row,
//               a result with two history rows for one event time, or two pending follow-ups
//   wrong       a result that is not its newest applied event, is older than the newest acknowledged
//               event of its key, was not made from the event whose time it carries (fields, activity
//               status, follow-up), a history applied out of event-time order, a body not stored as
//               sent, or a result for a key nobody sent
import { Client } from 'pg';
import { taskResultJobId } from '../domain/jobs';
import { parseTaskResult } from '../domain/schemas/task-result';
import { canonicalJson } from '../domain/json-text';
import { eventFingerprint } from '../domain/task-result-event';
import type { EventRecord, Ledger } from './ledger';
import { standaloneKeyId, type ChaosEvent } from './plan';

export interface Verification {
  /** History rows of the run's tenant. */
  readonly applied: number;
  readonly acknowledgedApplied: number;
  /** Acknowledged, failed as STALE_EVENT in the worker, and a newer event of the key applied. */
  readonly superseded: number;
  /** Applied though never acknowledged: a 503 or a lost answer after the job was queued. */
  readonly appliedUnacknowledged: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly wrong: number;
  /** Up to a few of each, to start looking from. */
  readonly examples: { readonly lost: string[]; readonly duplicated: string[]; readonly wrong: string[] };
}

interface ResultRow {
  id: string;
  activity_id: string | null;
  provider_activity_id: string | null;
  occurred_at: Date;
  result_status: string;
  external_status: string | null;
  raw_payload: unknown;
  task_result: string;
  task_comment: string | null;
  contact_type: string | null;
  operator_external_id: string | null;
  future_scheduled_at: Date | null;
  task_payload: unknown;
  activity_status: string | null;
}

interface HistoryRow {
  result_id: string;
  fingerprint: string;
  occurred_at: Date;
  body: unknown;
}

const EXAMPLES = 8;

class Findings {
  count = 0;
  readonly examples: string[] = [];

  add(description: string): void {
    this.count += 1;
    if (this.examples.length < EXAMPLES) this.examples.push(description);
  }
}

function fingerprintOf(event: ChaosEvent): string | undefined {
  try {
    return eventFingerprint(parseTaskResult(event.body, { now: new Date(), maxClockSkewMs: Number.MAX_SAFE_INTEGER }));
  } catch {
    return undefined; // the service refused it too, or should have
  }
}

/** The id of the job the API makes for an event sent on its own, as it derives it. */
export function jobIdOf(tenantId: string, event: ChaosEvent): string | undefined {
  const fingerprint = fingerprintOf(event);
  return fingerprint && taskResultJobId(tenantId, fingerprint, event.idempotencyKey);
}

/** Every job an event may have: its own, and those the answers of the batches it was sent in named. */
export function jobIdsOf(tenantId: string, record: EventRecord): Set<string> {
  const own = jobIdOf(tenantId, record.event);
  return own ? new Set([own, ...record.jobIds]) : record.jobIds;
}

/** The result fields an event leaves, as the stored row shows them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a body as sent, hostile ones included: any field may be missing or of any type
function expectedFields(body: Record<string, any>) {
  const task = body.task_result ?? {};
  return canonicalJson({
    result_status: body.status,
    external_status: body.external_status ?? null,
    raw_payload: body.raw_payload ?? null,
    task_result: task.result,
    task_comment: task.comment ?? null,
    contact_type: task.contact_type ?? null,
    operator_external_id: task.operator_external_id ?? null,
    future_scheduled_at: task.future_scheduled_at ? new Date(task.future_scheduled_at).toISOString() : null,
    task_payload: task.payload ?? null,
  });
}

function storedFields(row: ResultRow) {
  return canonicalJson({
    result_status: row.result_status,
    external_status: row.external_status,
    raw_payload: row.raw_payload,
    task_result: row.task_result,
    task_comment: row.task_comment,
    contact_type: row.contact_type,
    operator_external_id: row.operator_external_id,
    future_scheduled_at: row.future_scheduled_at?.toISOString() ?? null,
    task_payload: row.task_payload,
  });
}

export async function verify(input: {
  databaseUrl: string;
  tenantId: string;
  ledger: Ledger;
  failedJobs: ReadonlyMap<string, string>;
}): Promise<Verification> {
  const { tenantId, ledger, failedJobs } = input;
  const db = new Client({ connectionString: input.databaseUrl });
  await db.connect();
  let results: ResultRow[];
  let history: HistoryRow[];
  let followUps: { result_id: string; state: string; scheduled_at: Date }[];
  try {
    results = (
      await db.query<ResultRow>(
        `SELECT r.*, a.status AS activity_status FROM activity_results r LEFT JOIN activities a ON a.id = r.activity_id WHERE r.tenant_id = $1`,
        [tenantId],
      )
    ).rows;
    history = (
      await db.query<HistoryRow>(
        'SELECT result_id, fingerprint, occurred_at, body FROM activity_result_events WHERE tenant_id = $1 ORDER BY id',
        [tenantId],
      )
    ).rows;
    followUps = (await db.query('SELECT result_id, state, scheduled_at FROM follow_ups WHERE tenant_id = $1', [tenantId])).rows;
  } finally {
    await db.end();
  }

  const lost = new Findings();
  const duplicated = new Findings();
  const wrong = new Findings();

  const keyOf = (r: ResultRow) => r.activity_id ?? standaloneKeyId(r.provider_activity_id ?? '');
  const resultsByKey = new Map<string, ResultRow[]>();
  for (const r of results) resultsByKey.set(keyOf(r), [...(resultsByKey.get(keyOf(r)) ?? []), r]);
  const historyByResult = new Map<string, HistoryRow[]>();
  const historyByFingerprint = new Map<string, HistoryRow[]>();
  for (const h of history) {
    historyByResult.set(h.result_id, [...(historyByResult.get(h.result_id) ?? []), h]);
    historyByFingerprint.set(h.fingerprint.trim(), [...(historyByFingerprint.get(h.fingerprint.trim()) ?? []), h]);
  }
  for (const [fingerprint, rows] of historyByFingerprint)
    if (rows.length > 1) duplicated.add(`event ${fingerprint.slice(0, 12)} has ${rows.length} history rows`);

  const recordsByKey = new Map<string, EventRecord[]>();
  for (const record of ledger.records.values())
    recordsByKey.set(record.event.key.id, [...(recordsByKey.get(record.event.key.id) ?? []), record]);
  for (const key of resultsByKey.keys()) if (!recordsByKey.has(key)) wrong.add(`a result for ${key}, a key nobody sent`);

  let acknowledgedApplied = 0;
  let superseded = 0;
  let appliedUnacknowledged = 0;
  for (const [key, records] of recordsByKey) {
    const found = resultsByKey.get(key) ?? [];
    if (found.length > 1) duplicated.add(`${key} has ${found.length} results`);
    const result = found[0] as ResultRow | undefined;
    const finalMs = result?.occurred_at.getTime() ?? -Infinity;

    for (const record of records) {
      const { event } = record;
      const fingerprint = fingerprintOf(event);
      const appliedRow = fingerprint ? historyByFingerprint.get(fingerprint)?.[0] : undefined;
      if (appliedRow && !record.acknowledged) appliedUnacknowledged += 1;
      // A hostile event turned away with a 4xx was answered definitely: it must not be stored after all.
      if (appliedRow && event.hostile && record.rejection)
        wrong.add(`event ${event.seq} (${event.hostile}) was refused with ${record.rejection} and stored anyway`);
      if (!record.acknowledged) continue;
      if (appliedRow) {
        acknowledgedApplied += 1;
        if (event.hostile && canonicalJson(appliedRow.body) !== canonicalJson(event.body))
          wrong.add(`event ${event.seq} (${event.hostile}) was not stored as sent`);
        continue;
      }
      const failures = [...jobIdsOf(tenantId, record)].map((id) => failedJobs.get(id)).filter((f): f is string => f !== undefined);
      const failure = failures.find((f) => f.startsWith('STALE_EVENT')) ?? failures[0];
      if (failure?.startsWith('STALE_EVENT') && finalMs > event.occurredAtMs) superseded += 1;
      else
        lost.add(
          `event ${event.seq} of ${key}${event.hostile ? ` (${event.hostile})` : ''}: acknowledged, not applied, job ${failure ? `failed: ${failure}` : 'not failed'}`,
        );
    }
    if (!result) continue;

    const applied = historyByResult.get(result.id) ?? [];
    const newestApplied = Math.max(...applied.map((h) => h.occurred_at.getTime()));
    if (finalMs !== newestApplied)
      wrong.add(`${key}: result at ${result.occurred_at.toISOString()}, newest applied event at ${new Date(newestApplied).toISOString()}`);
    for (let i = 1; i < applied.length; i++) {
      const [before, after] = [applied[i - 1].occurred_at.getTime(), applied[i].occurred_at.getTime()];
      if (after === before) duplicated.add(`${key}: two history rows at ${applied[i].occurred_at.toISOString()}`);
      else if (after < before)
        wrong.add(`${key}: ${applied[i].occurred_at.toISOString()} applied after ${applied[i - 1].occurred_at.toISOString()}`);
    }
    const newestAcknowledged = Math.max(...records.filter((r) => r.acknowledged).map((r) => r.event.occurredAtMs));
    if (finalMs < newestAcknowledged)
      wrong.add(
        `${key}: result at ${result.occurred_at.toISOString()}, older than acknowledged ${new Date(newestAcknowledged).toISOString()}`,
      );

    const source = records.find((r) => r.event.occurredAtMs === finalMs)?.event;
    if (!source) {
      wrong.add(`${key}: result at ${result.occurred_at.toISOString()} matches no event sent`);
      continue;
    }
    if (storedFields(result) !== expectedFields(source.body)) wrong.add(`${key}: result fields are not those of event ${source.seq}`);
    if (result.activity_id) {
      const expected = result.result_status === 'COMPLETED' ? 'COMPLETED' : 'READY';
      if (result.activity_status !== expected) wrong.add(`${key}: activity ${result.activity_status}, expected ${expected}`);
    }
    const scheduled = followUps.filter((f) => f.result_id === result.id && f.state === 'SCHEDULED');
    if (scheduled.length > 1) duplicated.add(`${key}: ${scheduled.length} scheduled follow-ups`);
    const due = result.future_scheduled_at?.getTime();
    if (due === undefined ? scheduled.length > 0 : scheduled[0]?.scheduled_at.getTime() !== due) {
      wrong.add(
        `${key}: follow-up ${scheduled[0]?.scheduled_at.toISOString() ?? 'none'}, result wants ${result.future_scheduled_at?.toISOString() ?? 'none'}`,
      );
    }
  }

  return {
    applied: history.length,
    acknowledgedApplied,
    superseded,
    appliedUnacknowledged,
    lost: lost.count,
    duplicated: duplicated.count,
    wrong: wrong.count,
    examples: { lost: lost.examples, duplicated: duplicated.examples, wrong: wrong.examples },
  };
}
