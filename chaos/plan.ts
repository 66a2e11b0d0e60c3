// The stream a chaos run sends: valid events for many activities and standalone keys, each key's events
// a second apart in event time, then shuffled locally so a key's events arrive out of order, and some
// delivered twice. Statuses never make a legitimate event fail a transition: every event is PENDING
// except, for a third of the keys, the newest, which is COMPLETED. So the only legitimate rejection of a
// valid event is STALE_EVENT, which is what makes "lost" measurable.

/** Mulberry32: a small seeded generator, so a run's stream can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What an event is about. `id` is how the final state is looked up: the activity id, or the standalone key. */
export interface ChaosKey {
  readonly id: string;
  readonly activityId?: string;
  readonly providerActivityId: string;
  readonly commerceExternalId: string;
}

export interface ChaosEvent {
  /** Unique within the run; also written into the event's payload. */
  readonly seq: number;
  readonly key: ChaosKey;
  readonly occurredAtMs: number;
  readonly body: Record<string, unknown>;
  readonly idempotencyKey?: string;
  /** Set on the hostile burst's events: the name of the case. */
  readonly hostile?: string;
}

export interface Delivery {
  readonly event: ChaosEvent;
  /** Sent with `Prefer: respond-async`. */
  readonly async: boolean;
}

/**
 * Events sent together in one POST /api/activity-results/tasks/batch, as an end-of-shift upload: each
 * answered in its item, and checked like any event.
 */
export interface BatchDelivery {
  readonly deliveries: readonly Delivery[];
  readonly async: boolean;
  /** Covers the whole batch; the events' own keys are not sent. */
  readonly idempotencyKey?: string;
}

/** What one request of the stream carries: one event, or a batch of them. */
export type Sending = Delivery | BatchDelivery;

export const isBatch = (sending: Sending): sending is BatchDelivery => 'deliveries' in sending;

export function standaloneKeyId(providerActivityId: string): string {
  return `standalone:${providerActivityId}`;
}

const DAY_MS = 24 * 3600 * 1000;

export interface PlanInput {
  readonly runId: string;
  readonly events: number;
  readonly activities: readonly { id: string; providerActivityId: string; commerceExternalId: string }[];
  readonly standaloneKeys: number;
  readonly duplicateShare: number;
  readonly random: () => number;
  /** Event time of every key's first event; later ones follow a second apart. */
  readonly originMs: number;
}

export function planKeys(input: Pick<PlanInput, 'runId' | 'activities' | 'standaloneKeys'>): ChaosKey[] {
  const keys: ChaosKey[] = input.activities.map((a) => ({
    id: a.id,
    activityId: a.id,
    providerActivityId: a.providerActivityId,
    commerceExternalId: a.commerceExternalId,
  }));
  for (let i = 0; i < input.standaloneKeys; i++) {
    const providerActivityId = `chaos-${input.runId}-s${i}`;
    // Half on the activities' commerces, half on commerces nobody knows yet: those are created as
    // placeholders, by several keys at once.
    const commerceExternalId = i % 2 === 0 ? `chaos-c${i % 100}` : `chaos-p${i % 40}`;
    keys.push({ id: standaloneKeyId(providerActivityId), providerActivityId, commerceExternalId });
  }
  return keys;
}

function eventBody(
  key: ChaosKey,
  seq: number,
  round: number,
  occurredAtMs: number,
  completed: boolean,
  random: () => number,
): Record<string, unknown> {
  // An activity is named by its id, by its provider id, or by both, as providers do.
  const pick = random();
  const target = !key.activityId
    ? { provider_activity_id: key.providerActivityId }
    : pick < 0.5
      ? { activity_id: key.activityId }
      : pick < 0.8
        ? { provider_activity_id: key.providerActivityId }
        : { activity_id: key.activityId, provider_activity_id: key.providerActivityId };
  const futureScheduledAt = random() < 0.25 ? new Date(occurredAtMs + (1 + Math.floor(random() * 5)) * DAY_MS).toISOString() : undefined;
  return {
    ...target,
    commerce_external_id: key.commerceExternalId,
    occurred_at: new Date(occurredAtMs).toISOString(),
    status: completed ? 'COMPLETED' : 'PENDING',
    external_status: completed ? 'DONE' : `STEP_${round}`,
    raw_payload: { chaos_seq: seq, source: 'chaos' },
    task_result: {
      result: completed ? 'SUCCESS' : 'CALLBACK',
      comment: `chaos event ${seq}`,
      contact_type: seq % 2 === 0 ? 'OUTBOUND' : 'INBOUND',
      operator_external_id: `op-${seq % 17}`,
      ...(futureScheduledAt ? { future_scheduled_at: futureScheduledAt } : {}),
      payload: { chaos_seq: seq },
    },
  };
}

/** The deliveries in sending order. */
export function planDeliveries(input: PlanInput, keys: readonly ChaosKey[]): Delivery[] {
  const { random } = input;
  if (keys.length === 0) throw new Error('a chaos run needs at least one activity or standalone key');
  const positioned: { at: number; delivery: Delivery }[] = [];
  // Sent roughly in event-time order, but each event may be overtaken by the next two or three of its key.
  const window = 2.5 * keys.length;
  for (let i = 0; i < input.events; i++) {
    const key = keys[i % keys.length];
    const round = Math.floor(i / keys.length);
    const lastRound = i + keys.length >= input.events;
    const occurredAtMs = input.originMs + round * 1000;
    const completed = lastRound && (i % keys.length) % 3 === 0;
    const event: ChaosEvent = {
      seq: i,
      key,
      occurredAtMs,
      body: eventBody(key, i, round, occurredAtMs, completed, random),
      ...(random() < 0.1 ? { idempotencyKey: `chaos-${input.runId}-e${i}` } : {}),
    };
    const at = i + random() * window;
    positioned.push({ at, delivery: { event, async: random() < 0.5 } });
    if (random() < input.duplicateShare)
      positioned.push({ at: at + random() * 2 * keys.length, delivery: { event, async: random() < 0.5 } });
  }
  return positioned.sort((a, b) => a.at - b.at).map((p) => p.delivery);
}

/**
 * The deliveries grouped into requests: about a third of the events go in batches of 2 to 40 deliveries
 * that follow one another in the stream, so one key's events are spread over several batches, sent over
 * several lanes and applied by either worker; a delivered-twice event may even meet its copy in a batch.
 */
export function planSendings(deliveries: readonly Delivery[], runId: string, random: () => number): Sending[] {
  const sendings: Sending[] = [];
  for (let i = 0; i < deliveries.length;) {
    if (random() >= 0.025) {
      sendings.push(deliveries[i++]);
      continue;
    }
    const size = 2 + Math.floor(random() * 39);
    const batch = deliveries.slice(i, i + size);
    sendings.push({ deliveries: batch, async: random() < 0.5, ...(random() < 0.3 ? { idempotencyKey: `chaos-${runId}-b${i}` } : {}) });
    i += batch.length;
  }
  return sendings;
}
