// Coalesces lookups into few calls. Lookups made in one turn of the event loop (the requests that
// arrived together) go out together at the end of it; lookups made while every slot is busy wait for one
// and go out together too. The database sees a round trip per batch instead of one per request.
import { atEndOfTurn } from './end-of-turn';

interface Queued<I, O> {
  readonly input: I;
  readonly resolve: (output: O) => void;
  readonly reject: (error: unknown) => void;
}

export interface BatchLoaderOptions {
  /** Batches running at once; more lookups wait for one of them to finish. */
  readonly maxInFlight: number;
  readonly maxBatch: number;
}

export class BatchLoader<I, O> {
  private queued: Queued<I, O>[] = [];
  private inFlight = 0;
  private readonly dispatchSoon = atEndOfTurn(() => this.dispatch());

  /** `run` answers a batch with one output per input, in the same order. */
  constructor(
    private readonly run: (inputs: readonly I[]) => Promise<readonly O[]>,
    private readonly options: BatchLoaderOptions,
  ) {}

  load(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queued.push({ input, resolve, reject });
      this.dispatchSoon();
    });
  }

  private dispatch(): void {
    while (this.inFlight < this.options.maxInFlight && this.queued.length > 0) {
      const batch = this.queued.splice(0, this.options.maxBatch);
      this.inFlight++;
      this.run(batch.map((q) => q.input))
        .then(
          (outputs) => batch.forEach((q, i) => q.resolve(outputs[i])),
          (error: unknown) => batch.forEach((q) => q.reject(error)),
        )
        .finally(() => {
          this.inFlight--;
          this.dispatch();
        });
    }
  }
}
