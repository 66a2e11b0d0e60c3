// The load: valid, distinct task-result events driven over HTTP by autocannon. Events rotate over many
// keys (standalone provider keys and activities); occurred_at grows with every event, so each key only
// ever sees newer events and none is stale.
import autocannon from 'autocannon';

export const TASKS_PATH = '/api/activity-results/tasks';

/** Who an event is about: an activity by id, or a standalone provider key. */
export interface EventKey {
  readonly activity_id?: string;
  readonly provider_activity_id?: string;
  readonly commerce_external_id: string;
}

export class EventStream {
  private sent = 0;
  // An hour back, one millisecond per event: ahead of the clock only after 3.6 million events.
  private readonly originMs = Date.now() - 3_600_000;

  constructor(private readonly keys: readonly EventKey[]) {
    if (keys.length === 0) throw new Error('no event keys');
  }

  get count(): number {
    return this.sent;
  }

  next(): string {
    return this.eventFor(this.keys[this.sent % this.keys.length]);
  }

  /**
   * `count` senders on this stream's clock, each rotating over a slice of the keys of its own: a sender
   * that waits for each answer before its next request never has two events of one key in flight, so no
   * event of a key can reach the queue after a newer one and be refused as stale.
   */
  lanes(count: number): Array<() => string> {
    if (this.keys.length < count) throw new Error(`${count} lanes need at least ${count} event keys`);
    return Array.from({ length: count }, (_, lane) => {
      const keys = this.keys.filter((_, i) => i % count === lane);
      let turn = 0;
      return () => this.eventFor(keys[turn++ % keys.length]);
    });
  }

  private eventFor(key: EventKey): string {
    const n = this.sent++;
    return JSON.stringify({
      ...key,
      occurred_at: new Date(this.originMs + n).toISOString(),
      status: 'PENDING',
      external_status: 'IN_PROGRESS',
      task_result: { result: 'CALLBACK', comment: `bench event ${n}`, contact_type: 'OUTBOUND', payload: { n } },
    });
  }
}

export interface PhaseFigures {
  readonly seconds: number;
  /** 2xx responses per second. */
  readonly requestsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly responses2xx: number;
  /** Non-2xx responses plus connection errors and timeouts: all should be zero. */
  readonly failures: number;
  readonly statusCounts: Record<string, number>;
}

export async function runPhase(input: {
  /** Each web process's; autocannon deals the connections out over them in turn. */
  baseUrls: readonly string[];
  headers: Record<string, string>;
  connections: number;
  durationS: number;
  events: EventStream;
}): Promise<PhaseFigures> {
  const result = await autocannon({
    // autocannon takes an array of URLs (connection i to URL i mod n); its types know only one.
    url: (input.baseUrls.length === 1 ? input.baseUrls[0] : [...input.baseUrls]) as string,
    connections: input.connections,
    duration: input.durationS,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: TASKS_PATH,
        headers: { 'content-type': 'application/json', ...input.headers },
        setupRequest: (request) => ({ ...request, body: input.events.next() }),
      },
    ],
  });
  const statusCounts = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([status, stats]) => [status, stats.count ?? 0]),
  );
  return {
    seconds: result.duration,
    requestsPerSec: result['2xx'] / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    responses2xx: result['2xx'],
    failures: result.non2xx + result.errors,
    statusCounts,
  };
}
