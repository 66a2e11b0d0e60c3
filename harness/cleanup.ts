/** What a run has set up, undone last-in first-out whatever happens; a step that fails is logged, and the rest still run. */
export class Cleanup {
  private readonly undo: { what: string; run: () => Promise<unknown> }[] = [];

  constructor(private readonly log: (message: string) => void) {}

  add(what: string, run: () => Promise<unknown>): void {
    this.undo.push({ what, run });
  }

  /** Runs every step added so far, once: a second call (a signal during the first) finds nothing left. */
  async release(): Promise<void> {
    for (let step = this.undo.pop(); step; step = this.undo.pop()) {
      await step.run().catch((error: Error) => this.log(`cleanup (${step!.what}) failed: ${error.message}`));
    }
  }
}
