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
  }

  /** The job's outcome, or undefined when it has not finished within `timeoutMs`. */
  async wait(jobId: string, timeoutMs: number): Promise<Finished | undefined> {
    let resolve!: (finished: Finished | undefined) => void;
    const outcome = new Promise<Finished | undefined>((r) => (resolve = r));
    const listeners = this.waiting.get(jobId) ?? new Set();
    listeners.add(resolve);
    this.waiting.set(jobId, listeners);
    const timer = setTimeout(() => resolve(undefined), timeoutMs);
    try {
      // Subscribed first, then look: a job that finished before we subscribed is not missed.
      const job = await this.queue.getJob(jobId);
      const now = job && (await finishedState(job));
      if (now) resolve(now);
      return await outcome;
    } finally {
      clearTimeout(timer);
      listeners.delete(resolve);
      if (listeners.size === 0 && this.waiting.get(jobId) === listeners) this.waiting.delete(jobId);
    }
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
