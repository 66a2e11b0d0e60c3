// What a round measures on one target, phase by phase, and what the limits measure once a run. A phase left
// out by --phases is absent. These are the shapes of bench/results/<timestamp>.json as well.
import type { PhaseFigures } from './load';
import type { TargetName } from './options';

export interface ProcessCpu {
  readonly web: number;
  readonly worker: number;
}

export interface DrainFigures {
  /** History rows added from the start of the async load until the queue was empty. */
  readonly applied: number;
  /** 2xx answers in the async phase: each should become one applied event. */
  readonly accepted: number;
  readonly seconds: number;
  readonly eventsPerSec: number;
  /** False when the queue was still not empty at the drain timeout. */
  readonly complete: boolean;
  readonly failedJobs: number;
  /** When some failed: how many for each reason (its code, as `STALE_EVENT`). */
  readonly failedByReason?: Record<string, number>;
}

/** The async load with the worker stopped, then the worker started again on the queue it left. */
export interface WorkerDrainFigures {
  readonly load: PhaseFigures;
  /** Jobs waiting when the worker was started. */
  readonly queued: number;
  /** History rows added from the start of the load until the queue was empty. */
  readonly applied: number;
  readonly accepted: number;
  /** From the worker's start (spawn) until the queue was empty. */
  readonly secondsFromStart: number;
  /** From its first applied event (the worker ready) until the queue was empty. */
  readonly seconds: number;
  /** Events applied in `seconds`, per second: the worker alone, nothing else loading the machine. */
  readonly eventsPerSec: number;
  readonly complete: boolean;
  readonly failedJobs: number;
  /** When some failed: how many for each reason (its code, as `STALE_EVENT`). */
  readonly failedByReason?: Record<string, number>;
}

/** Batches of events on the batch route, `Prefer: respond-async`, a few requests at a time. */
export interface BulkFigures {
  readonly batchSize: number;
  readonly concurrency: number;
  readonly requests: number;
  readonly loadSeconds: number;
  /** Items answered 202. */
  readonly accepted: number;
  readonly acceptedPerSec: number;
  /** Items answered other than 202, and every event of an answer other than 200 or of a request that failed. */
  readonly failures: number;
  readonly answerCounts: Record<string, number>;
  readonly itemCounts: Record<string, number>;
  /** History rows added from the first request until the queue was empty. */
  readonly applied: number;
  readonly seconds: number;
  /** End to end: applied events per second from the first request to the last event applied. */
  readonly appliedPerSec: number;
  readonly complete: boolean;
  readonly failedJobs: number;
  /** When some failed: how many for each reason (its code, as `STALE_EVENT`). */
  readonly failedByReason?: Record<string, number>;
}

export interface TargetFigures {
  readonly sync?: PhaseFigures;
  readonly async?: PhaseFigures;
  readonly drain?: DrainFigures;
  readonly workerDrain?: WorkerDrainFigures;
  readonly bulk?: BulkFigures;
  /** Events answered 2xx (or 202 items) in any phase that never became a history row: should be none. */
  readonly notApplied: number;
  readonly peakRssMb: { readonly web: number; readonly worker: number };
  /**
   * CPU time per applied event, in µs: for the synchronous phase until its queue was empty, for the async
   * phase with its drain, and for the worker drain (the worker's run on the queue). Where the time goes, and
   * less noisy than the rates on a shared machine.
   */
  readonly cpuUsPerEvent: { readonly sync?: ProcessCpu; readonly async?: ProcessCpu; readonly workerDrain?: ProcessCpu };
}

export type Runs = Partial<Record<TargetName, TargetFigures[]>>;

/** BullMQ alone: jobs added with addBulk, then processed by a no-op worker, in a process of its own. */
export interface BullmqLimit {
  readonly jobs: number;
  readonly chunk: number;
  readonly concurrency: number;
  readonly addsPerSec: number;
  readonly processedPerSec: number;
}

/** PostgreSQL alone on the worker's statement shape (pgbench): lock, update a result, insert a history row. */
export interface PgLimit {
  readonly clients: number;
  readonly eventsPerTransaction: number;
  readonly transactionsPerSec: number;
  readonly eventsPerSec: number;
}

export interface Limits {
  readonly bullmq?: BullmqLimit;
  readonly pg?: { readonly oneEvent: PgLimit; readonly sixteenEvents: PgLimit };
  /** Why PostgreSQL's limit was not measured (pgbench not found). */
  readonly pgSkipped?: string;
}
