// The provider side of a chaos run: deliveries sent over a fixed number of lanes, paced to spread over
// the run. Like a real provider, a lane sends a refused (503) or unanswered delivery again after a short
// wait, until it gets a 2xx or a 4xx or runs out of patience; resending the same body is safe because
// the service makes one job per event.
import type { Answer, BatchItemAnswer, Ledger } from './ledger';
import { isBatch, type BatchDelivery, type ChaosEvent, type Delivery, type Sending } from './plan';

export const TASKS_PATH = '/api/activity-results/tasks';
export const BATCH_PATH = '/api/activity-results/tasks/batch';

export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string | Buffer;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One request; never throws: a timeout or a broken connection is an answer with status 0. */
export async function send(baseUrl: string, request: HttpRequest, timeoutMs: number): Promise<Answer> {
  const started = performance.now();
  try {
    const response = await fetch(`${baseUrl}${request.path}`, {
      method: request.method,
      headers: request.headers,
      body: typeof request.body === 'string' ? request.body : request.body && new Uint8Array(request.body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON (Node's own 4xx for a broken request, say)
    }
    const code = (body as { code?: string } | undefined)?.code;
    const retryAfter = Number(response.headers.get('retry-after'));
    return {
      status: response.status,
      code,
      ms: performance.now() - started,
      retryAfterS: Number.isFinite(retryAfter) ? retryAfter : undefined,
      body,
    };
  } catch (error) {
    const name = (error as Error).name;
    return {
      status: 0,
      ms: performance.now() - started,
      failure: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network',
    };
  }
}

export function eventRequest(event: ChaosEvent, apiKey: string, async: boolean): HttpRequest {
  return {
    method: 'POST',
    path: TASKS_PATH,
    headers: {
      'content-type': 'application/json',
      'x-api-key': apiKey,
      ...(async ? { prefer: 'respond-async' } : {}),
      ...(event.idempotencyKey ? { 'idempotency-key': event.idempotencyKey } : {}),
    },
    body: JSON.stringify(event.body),
  };
}

export function batchRequest(batch: BatchDelivery, apiKey: string): HttpRequest {
  return {
    method: 'POST',
    path: BATCH_PATH,
    headers: {
      'content-type': 'application/json',
      'x-api-key': apiKey,
      ...(batch.async ? { prefer: 'respond-async' } : {}),
      ...(batch.idempotencyKey ? { 'idempotency-key': batch.idempotencyKey } : {}),
    },
    body: JSON.stringify(batch.deliveries.map((d) => d.event.body)),
  };
}

/** A web process, or several behind a load balancer: each request goes to one of them at random. */
function pickUrl(baseUrl: string | readonly string[]): string {
  return typeof baseUrl === 'string' ? baseUrl : baseUrl[Math.floor(Math.random() * baseUrl.length)];
}

export interface SenderOptions {
  readonly baseUrl: string | readonly string[];
  readonly apiKey: string;
  readonly concurrency: number;
  /** Deliveries started per second at most. */
  readonly ratePerSec: number;
  readonly requestTimeoutMs: number;
  /** How long one delivery is retried before the client gives up on it. */
  readonly patienceMs: number;
}

/** Sends one delivery, retrying refusals and failures until a definite answer or the patience runs out. */
export async function deliver(
  delivery: Delivery,
  ledger: Ledger,
  options: Omit<SenderOptions, 'concurrency' | 'ratePerSec'>,
): Promise<void> {
  const giveUpAt = Date.now() + options.patienceMs;
  ledger.deliveries += 1;
  ledger.track(delivery.event);
  for (;;) {
    const answer = await send(
      pickUrl(options.baseUrl),
      eventRequest(delivery.event, options.apiKey, delivery.async),
      options.requestTimeoutMs,
    );
    ledger.answered(delivery.event, answer);
    if (answer.status >= 200 && answer.status < 500) return;
    if (Date.now() > giveUpAt) {
      ledger.gaveUp += 1;
      return;
    }
    // Retry-After is honoured up to a second, so a run stays short; some jitter spreads the retries.
    const waitMs = Math.min((answer.retryAfterS ?? 0.25) * 1000, 1000);
    await sleep(waitMs * (0.5 + Math.random() / 2));
  }
}

/**
 * Sends a batch as a provider would: the whole batch again (same body, same key) after a refusal or no
 * answer; then each event whose item says it could not be applied yet (503) on its own.
 */
export async function deliverBatch(
  batch: BatchDelivery,
  ledger: Ledger,
  options: Omit<SenderOptions, 'concurrency' | 'ratePerSec'>,
): Promise<void> {
  const giveUpAt = Date.now() + options.patienceMs;
  const events = batch.deliveries.map((d) => d.event);
  ledger.deliveries += events.length;
  for (const event of events) ledger.track(event);
  for (;;) {
    const answer = await send(pickUrl(options.baseUrl), batchRequest(batch, options.apiKey), options.requestTimeoutMs);
    const items = (answer.body as { items?: BatchItemAnswer[] } | undefined)?.items;
    const answered = answer.status >= 200 && answer.status < 300 && Array.isArray(items) ? items : undefined;
    ledger.answeredBatch(events, answer, answered);
    if (answered) {
      for (const item of answered) if (item.status >= 500) await deliver(batch.deliveries[item.index], ledger, options);
      return;
    }
    if (answer.status >= 400 && answer.status < 500) return;
    if (Date.now() > giveUpAt) {
      ledger.gaveUp += events.length;
      return;
    }
    await sleep(Math.min((answer.retryAfterS ?? 0.25) * 1000, 1000) * (0.5 + Math.random() / 2));
  }
}

/**
 * Sends every request in order over `concurrency` lanes, paced so that at most `ratePerSec` deliveries
 * start a second (a batch counts as its deliveries).
 */
export async function sendAll(sendings: readonly Sending[], ledger: Ledger, options: SenderOptions): Promise<void> {
  const startedAt = Date.now();
  const startsAt: number[] = [];
  let position = 0;
  for (const sending of sendings) {
    startsAt.push(position);
    position += isBatch(sending) ? sending.deliveries.length : 1;
  }
  let next = 0;
  const lane = async () => {
    while (next < sendings.length) {
      const index = next++;
      const due = startedAt + (startsAt[index] * 1000) / options.ratePerSec;
      if (due > Date.now()) await sleep(due - Date.now());
      const sending = sendings[index];
      await (isBatch(sending) ? deliverBatch(sending, ledger, options) : deliver(sending, ledger, options));
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, lane));
}
