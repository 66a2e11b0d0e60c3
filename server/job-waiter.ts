// Lets many requests wait for their jobs over one QueueEvents subscription per process, instead of one
// subscription per request.
import type { Job, Queue, QueueEvents } from 'bullmq';

export type Finished =
  | { readonly state: 'completed'; readonly value: unknown }
  | { readonly state: 'failed'; readonly reason: string };

export class JobWaiter {
  private readonly waiting = new Map<string, Set<(finished: Finished) => void>>();

  constructor(private readonly queue: Queue, events: QueueEvents) {
    events.on('completed', ({ jobId, returnvalue }) => this.settle(jobId, { state: 'completed', value: returnvalue }));
    events.on('failed', ({ jobId, failedReason }) => this.settle(jobId, { state: 'failed', reason: failedReason }));
    // An add that found its job already there: the job may have finished long ago, so look it up.
    events.on('duplicated', ({ jobId }) => void this.look(jobId).catch(() => undefined));
  }

  /**
   * The job's outcome, or undefined when it has not finished within `timeoutMs`. With `add`, the job is
   * added once the wait is listening, so no outcome can be missed and a new job needs no lookup; without,
   * the job exists already and is looked up once listening.
   */
  async wait(jobId: string, timeoutMs: number, add?: () => Promise<void>): Promise<Finished | undefined> {
    let resolve!: (finished: Finished | undefined) => void;
    const outcome = new Promise<Finished | undefined>((r) => (resolve = r));
    const listeners = this.waiting.get(jobId) ?? new Set();
    listeners.add(resolve);
    this.waiting.set(jobId, listeners);
    const timer = setTimeout(() => resolve(undefined), timeoutMs);
    try {
      await (add ? add() : this.look(jobId));
      return await outcome;
    } finally {
      clearTimeout(timer);
      listeners.delete(resolve);
      if (listeners.size === 0 && this.waiting.get(jobId) === listeners) this.waiting.delete(jobId);
    }
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

/** For a job read from Redis: its outcome if it has finished. */
export async function finishedState(job: Job): Promise<Finished | undefined> {
  if (!job.finishedOn) return undefined;
  const state = await job.getState();
  if (state === 'completed') return { state, value: job.returnvalue };
  if (state === 'failed') return { state, reason: job.failedReason };
  return undefined;
}
