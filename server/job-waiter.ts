// Lets many requests wait for their jobs over one read of the queue's event stream per process (the
// stream BullMQ's QueueEvents reads), instead of one subscription per request. The stream is read only
// while a request waits: with every request answered at once (`Prefer: respond-async`), the web reads
// no events at all, and the worker's share of the machine is not spent on parsing them.
import type { Job, Queue } from 'bullmq';
import type { RedisClient } from '../config/redis';

/** A job's outcome; `finishedOn` is known when the job was looked up rather than heard finishing. */
export type Finished = (
  { readonly state: 'completed'; readonly value: unknown } | { readonly state: 'failed'; readonly reason: string }
) & { readonly finishedOn?: number };

type Settle = (finished: Finished) => void;

const BLOCK_MS = 5_000;
const RETRY_MS = 500;

export class JobWaiter {
  private readonly waiting = new Map<string, Set<Settle>>();
  private readonly stream: string;
  /** Set while the read loop runs; resolves once the loop knows where in the stream it starts. */
  private listening: Promise<void> | undefined;
  private closed = false;

  /**
   * `connection` is the queue's, failing fast when Redis is down; `reader` is the waiter's own, as each
   * read blocks it for up to BLOCK_MS.
   */
  constructor(
    private readonly queue: Queue,
    private readonly connection: RedisClient,
    private readonly reader: RedisClient,
  ) {
    this.stream = queue.keys.events;
  }

  /**
   * The job's outcome, or undefined when it has not finished within `timeoutMs`. With `add`, the job is
   * added once the wait is listening, so no outcome can be missed and a new job needs no lookup; without,
   * the job exists already and is looked up once listening.
   */
  async wait(jobId: string, timeoutMs: number, add?: () => Promise<void>): Promise<Finished | undefined> {
    return (await this.waitMany([jobId], timeoutMs, add)).get(jobId);
  }

  /**
   * `wait` for many jobs at once (a batch's): one deadline for all, one `add` for all, and it returns as
   * soon as every job has finished. Jobs that did not finish in time are absent from the map.
   */
  async waitMany(jobIds: readonly string[], timeoutMs: number, add?: () => Promise<void>): Promise<Map<string, Finished>> {
    const outcomes = new Map<string, Finished>();
    const pending = new Set(jobIds);
    let allDone!: () => void;
    const done = new Promise<void>((r) => (allDone = r));
    const registered: Array<[string, Set<Settle>, Settle]> = [];
    for (const jobId of pending) {
      const settle: Settle = (finished) => {
        if (!pending.delete(jobId)) return;
        outcomes.set(jobId, finished);
        if (pending.size === 0) allDone();
      };
      const listeners = this.waiting.get(jobId) ?? new Set();
      listeners.add(settle);
      this.waiting.set(jobId, listeners);
      registered.push([jobId, listeners, settle]);
    }
    if (pending.size === 0) allDone();
    const timer = setTimeout(allDone, timeoutMs);
    try {
      await this.listen();
      await (add ? add() : Promise.all([...pending].map((jobId) => this.look(jobId))));
      await done;
      return outcomes;
    } finally {
      clearTimeout(timer);
      for (const [jobId, listeners, settle] of registered) {
        listeners.delete(settle);
        if (listeners.size === 0 && this.waiting.get(jobId) === listeners) this.waiting.delete(jobId);
      }
    }
  }

  /** Ends the read loop; the caller closes the connection, which ends a read in progress. */
  close(): void {
    this.closed = true;
  }

  /**
   * Starts the read loop unless it runs. It starts after the stream's last entry, read on the queue's own
   * connection (which fails fast when Redis is down): everything a waiter's job does happens later.
   */
  private listen(): Promise<void> {
    if (!this.listening) {
      const started = this.lastId().then((id) => void this.read(id));
      this.listening = started;
      started.catch(() => {
        if (this.listening === started) this.listening = undefined;
      });
    }
    return this.listening;
  }

  private async lastId(): Promise<string> {
    const [last] = await this.connection.xrevrange(this.stream, '+', '-', 'COUNT', 1);
    return last?.[0] ?? '0-0';
  }

  /** Reads on while anyone waits; a read that fails (Redis gone) is tried again from the same place. */
  private async read(from: string): Promise<void> {
    let id = from;
    while (this.waiting.size > 0 && !this.closed) {
      try {
        const reply = await this.reader.xread('BLOCK', BLOCK_MS, 'STREAMS', this.stream, id);
        for (const [entryId, fields] of reply?.[0][1] ?? []) {
          id = entryId;
          this.handle(fields);
        }
      } catch {
        if (!this.closed) await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
    this.listening = undefined;
  }

  /** An event's fields come as [name, value, ...]; only the outcomes of awaited jobs are parsed. */
  private handle(fields: string[]): void {
    const event = fieldOf(fields, 'event');
    if (event !== 'completed' && event !== 'failed' && event !== 'duplicated') return;
    const jobId = fieldOf(fields, 'jobId');
    if (jobId === undefined || !this.waiting.has(jobId)) return;
    if (event === 'completed') this.settle(jobId, { state: 'completed', value: JSON.parse(fieldOf(fields, 'returnvalue') ?? 'null') });
    else if (event === 'failed') this.settle(jobId, { state: 'failed', reason: fieldOf(fields, 'failedReason') ?? '' });
    // An add that found its job already there: the job may have finished long ago, so look it up.
    else void this.look(jobId).catch(() => undefined);
  }

  private async look(jobId: string): Promise<void> {
    if (!this.waiting.has(jobId)) return;
    const job = await this.queue.getJob(jobId);
    const now = job && (await finishedState(job));
    if (now) this.settle(jobId, now);
  }

  private settle(jobId: string, finished: Finished): void {
    for (const resolve of this.waiting.get(jobId) ?? []) resolve(finished);
  }
}

function fieldOf(fields: readonly string[], name: string): string | undefined {
  for (let i = 0; i < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

/** For a job read from Redis: its outcome if it has finished. */
export async function finishedState(job: Job): Promise<Finished | undefined> {
  if (!job.finishedOn) return undefined;
  const state = await job.getState();
  if (state === 'completed') return { state, value: job.returnvalue, finishedOn: job.finishedOn };
  if (state === 'failed') return { state, reason: job.failedReason, finishedOn: job.finishedOn };
  return undefined;
}
