// What the API answered for every event: the run's own record of what was acknowledged, to hold the final
// state against. An event is acknowledged once any delivery of it got a 2xx (201, 200 or 202).
import type { ChaosEvent } from './plan';

export interface Answer {
  /** 0 when no HTTP answer came: a timeout or a broken connection. */
  readonly status: number;
  /** The error body's `code`, for 4xx and 5xx. */
  readonly code?: string;
  readonly ms: number;
  readonly failure?: 'timeout' | 'network';
  readonly retryAfterS?: number;
  /** The parsed JSON body of a batch's answer, whose items say what became of each event. */
  readonly body?: unknown;
}

/** One item of a batch's answer. */
export interface BatchItemAnswer {
  readonly index: number;
  readonly status: number;
  readonly code?: string;
  readonly jobId?: string;
}

export interface EventRecord {
  readonly event: ChaosEvent;
  acknowledged: boolean;
  /** The code of the first 4xx answer, if any. */
  rejection?: string;
  /** Jobs a batch's answer named for it (an event sent in a keyed batch has a job of the batch's key). */
  readonly jobIds: Set<string>;
}

export class Ledger {
  readonly records = new Map<number, EventRecord>();
  /** Answers by HTTP status, retries included; 0 counts requests that got none. */
  readonly statuses = new Map<number, number>();
  readonly refusalMs: number[] = [];
  deliveries = 0;
  requests = 0;
  /** Requests that got no answer within the client's timeout. */
  hung = 0;
  /** Deliveries still refused or unanswered when the client stopped retrying. */
  gaveUp = 0;
  /** 5xx other than 503 to a valid event: the service failing, not refusing. */
  serverErrors = 0;
  readonly serverErrorCodes = new Map<string, number>();

  track(event: ChaosEvent): EventRecord {
    let record = this.records.get(event.seq);
    if (!record) {
      record = { event, acknowledged: false, jobIds: new Set() };
      this.records.set(event.seq, record);
    }
    return record;
  }

  /** Records what an answer means for its event, without counting it among the stream's requests. */
  settle(event: ChaosEvent, answer: Answer): void {
    const record = this.track(event);
    if (answer.status >= 200 && answer.status < 300) record.acknowledged = true;
    else if (answer.status >= 400 && answer.status < 500) record.rejection ??= answer.code ?? String(answer.status);
  }

  answered(event: ChaosEvent, answer: Answer): void {
    this.settle(event, answer);
    this.requests += 1;
    this.statuses.set(answer.status, (this.statuses.get(answer.status) ?? 0) + 1);
    if (answer.failure === 'timeout') this.hung += 1;
    if (answer.status === 503) this.refusalMs.push(answer.ms);
    else if (answer.status >= 500) this.serverError(answer);
  }

  /** Records one batch request's answer: the request once, each event by its item. */
  answeredBatch(events: readonly ChaosEvent[], answer: Answer, items: readonly BatchItemAnswer[] | undefined): void {
    this.requests += 1;
    this.statuses.set(answer.status, (this.statuses.get(answer.status) ?? 0) + 1);
    if (answer.failure === 'timeout') this.hung += 1;
    if (answer.status === 503) this.refusalMs.push(answer.ms);
    else if (answer.status >= 500) this.serverError(answer);
    if (!items) {
      for (const event of events) this.settle(event, answer);
      return;
    }
    for (const item of items) {
      const event = events[item.index];
      if (item.jobId) this.track(event).jobIds.add(item.jobId);
      this.settle(event, { status: item.status, code: item.code, ms: answer.ms });
    }
  }

  private serverError(answer: Answer): void {
    this.serverErrors += 1;
    const code = `${answer.status} ${answer.code ?? ''}`.trim();
    this.serverErrorCodes.set(code, (this.serverErrorCodes.get(code) ?? 0) + 1);
  }

  acknowledged(): EventRecord[] {
    return [...this.records.values()].filter((r) => r.acknowledged);
  }

  /** Events never acknowledged, by the code of the 4xx that turned them away. */
  rejectedByCode(): Record<string, number> {
    const byCode: Record<string, number> = {};
    for (const r of this.records.values()) {
      if (!r.acknowledged && r.rejection) byCode[r.rejection] = (byCode[r.rejection] ?? 0) + 1;
    }
    return byCode;
  }

  /** Events that got neither a 2xx nor a 4xx: refused or unanswered until the client gave up. */
  unanswered(): number {
    return [...this.records.values()].filter((r) => !r.acknowledged && !r.rejection).length;
  }
}
