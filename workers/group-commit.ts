// Group commit: the task-result jobs a worker process has in flight are applied together, one
// transaction per batch (docs/decisions/007-group-commit.md). A batch forms from what is ready: the jobs
// that arrived in one turn of the event loop, or while every batch slot was busy. Nothing waits for a
// batch to fill, so a lone event is applied at once.
import type { TaskResultJobResult } from '../domain/jobs';
import { BatchLoader } from '../lib/batch-loader';
import type { PendingEvent, Settled } from './apply-task-results';

/** Batches being applied at once: one commits while the next is read and judged. Each holds a connection. */
export const BATCHES_IN_FLIGHT = 2;

// A standalone key's first events race to insert its result; the losers run again at once and find
// that result to lock. Past this many losses in a row the job is retried later.
const MAX_LOST_RACES = 5;

/** Other events for the same key kept winning the race to create its result: retried with backoff. */
export class TargetBusy extends Error {
  constructor() {
    super(`lost the race to create the result ${MAX_LOST_RACES} times in a row`);
    this.name = 'TargetBusy';
  }
}

export class GroupCommit {
  private readonly batcher: BatchLoader<PendingEvent, Settled>;

  /**
   * `apply` answers a batch with one Settled per event, in order, and never throws. `jobsInFlight` is the
   * worker's concurrency: the batches in flight share it.
   */
  constructor(apply: (batch: readonly PendingEvent[]) => Promise<Settled[]>, jobsInFlight: number) {
    this.batcher = new BatchLoader(apply, { maxInFlight: BATCHES_IN_FLIGHT, maxBatch: Math.ceil(jobsInFlight / BATCHES_IN_FLIGHT) });
  }

  /** The event's outcome once a batch holding it has committed; rejects with the error that fails its job. */
  async apply(pending: PendingEvent): Promise<TaskResultJobResult> {
    for (let lostRaces = 0; ;) {
      const settled = await this.batcher.load(pending);
      if ('value' in settled) return settled.value;
      if ('error' in settled) throw settled.error;
      if (settled.again === 'lostRace' && ++lostRaces >= MAX_LOST_RACES) throw new TargetBusy();
    }
  }
}
