// Group commit: the task-result jobs a worker process has in flight are applied together, one
// transaction per batch (docs/decisions/007-group-commit.md). A batch forms from what is ready: the jobs
// that arrived in one turn of the event loop, or while every batch slot was busy. Nothing waits for a
// batch to fill, so a lone event is applied at once.
//
// Two batches in flight never hold the same target. Both would lock it, and the later batch could take
// the lock first and commit a key's newer event before its older one, which would then be refused as
// stale though it reached the queue first. An event whose target a batch in flight holds waits for that
// batch, and the events behind it for the same target wait with it, so a key's events commit in the
// order the queue gave them.
import type { TaskResultJobResult } from '../domain/jobs';
import { atEndOfTurn } from '../lib/end-of-turn';
import type { PendingEvent, Settled } from './apply-task-results';

/** Batches being applied at once: one commits while the next is read and judged. Each holds a connection. */
export const BATCHES_IN_FLIGHT = 2;

/**
 * The jobs in flight make this many batches: those in the database, and one more taken from Redis and
 * read meanwhile, so a batch that commits frees its slot for a full batch rather than for the first few
 * jobs its completions bring back (docs/decisions/007-group-commit.md).
 */
const BATCHES_OF_JOBS = BATCHES_IN_FLIGHT + 1;

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

interface Waiting {
  readonly pending: PendingEvent;
  readonly targets: readonly string[];
  readonly resolve: (result: TaskResultJobResult) => void;
  readonly reject: (error: unknown) => void;
  lostRaces: number;
}

/**
 * The names an event gives its target, each a lock the batcher takes: the activity id and the provider
 * key. Two events naming one activity, one only by id and the other only by provider key, are not
 * recognised as one target here; the row lock still orders them.
 */
function targetsOf({ data, event }: PendingEvent): string[] {
  const targets: string[] = [];
  if (event.activity_id) targets.push(`activity ${data.tenantId} ${event.activity_id}`);
  if (event.provider_activity_id) targets.push(`key ${data.tenantId} ${event.provider_activity_id}`);
  return targets;
}

export class GroupCommit {
  private queued: Waiting[] = [];
  /** The targets the batches in flight hold. */
  private readonly held = new Set<string>();
  private inFlight = 0;
  private readonly dispatchSoon = atEndOfTurn(() => this.dispatch());
  private readonly maxBatch: number;

  /**
   * `applyBatch` answers a batch with one Settled per event, in order, and never throws. `jobsInFlight` is
   * the worker's concurrency: a batch holds up to a third of it.
   */
  constructor(
    private readonly applyBatch: (batch: readonly PendingEvent[]) => Promise<Settled[]>,
    jobsInFlight: number,
  ) {
    this.maxBatch = Math.ceil(jobsInFlight / BATCHES_OF_JOBS);
  }

  /** The event's outcome once a batch holding it has committed; rejects with the error that fails its job. */
  apply(pending: PendingEvent): Promise<TaskResultJobResult> {
    return new Promise((resolve, reject) => {
      this.queued.push({ pending, targets: targetsOf(pending), resolve, reject, lostRaces: 0 });
      this.dispatchSoon();
    });
  }

  private dispatch(): void {
    while (this.inFlight < BATCHES_IN_FLIGHT) {
      const batch = this.takeBatch();
      if (batch.length === 0) return;
      void this.run(batch);
    }
  }

  /** The queued events, in queue order, whose targets no batch in flight holds and no event left waiting names. */
  private takeBatch(): Waiting[] {
    const batch: Waiting[] = [];
    const left: Waiting[] = [];
    const blocked = new Set(this.held);
    for (const waiting of this.queued) {
      if (batch.length < this.maxBatch && !waiting.targets.some((t) => blocked.has(t))) {
        batch.push(waiting);
        continue;
      }
      left.push(waiting);
      for (const target of waiting.targets) blocked.add(target);
    }
    this.queued = left;
    return batch;
  }

  private async run(batch: Waiting[]): Promise<void> {
    this.inFlight++;
    for (const waiting of batch) for (const target of waiting.targets) this.held.add(target);
    let settled: Settled[];
    try {
      settled = await this.applyBatch(batch.map((w) => w.pending));
    } catch (error) {
      settled = batch.map(() => ({ error }));
    }
    const again: Waiting[] = [];
    batch.forEach((waiting, i) => {
      const outcome = settled[i];
      if ('value' in outcome) waiting.resolve(outcome.value);
      else if ('error' in outcome) waiting.reject(outcome.error);
      else if (outcome.again === 'lostRace' && ++waiting.lostRaces >= MAX_LOST_RACES) waiting.reject(new TargetBusy());
      else again.push(waiting);
    });
    for (const waiting of batch) for (const target of waiting.targets) this.held.delete(target);
    // Ahead of what queued meanwhile: those events are newer for their targets.
    this.queued.unshift(...again);
    this.inFlight--;
    this.dispatch();
  }
}
