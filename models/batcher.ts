// Coalesces lookups that arrive while earlier ones are in flight into one call. Idle, a lookup goes out
// at once and alone; under load, one statement answers the many requests that queued up behind it, so
// the database sees a round trip per batch instead of one per request.
interface Queued<I, O> {
  readonly input: I;
  readonly resolve: (output: O) => void;
  readonly reject: (error: unknown) => void;
}

export interface BatcherOptions {
  /** Batches running at once; more lookups wait for one of them to finish. */
  readonly maxInFlight: number;
  readonly maxBatch: number;
}

export class Batcher<I, O> {
  private queued: Queued<I, O>[] = [];
  private inFlight = 0;

  /** `run` answers a batch with one output per input, in the same order. */
  constructor(
    private readonly run: (inputs: readonly I[]) => Promise<readonly O[]>,
    private readonly options: BatcherOptions,
  ) {}

  load(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queued.push({ input, resolve, reject });
      this.dispatch();
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
