// Work asked for many times in one turn of the event loop, done once at its end: what arrived together
// goes out together (batch-loader.ts, workers/group-commit.ts).

/** A function that, however often it is called in one turn, runs `run` once after the turn. */
export function atEndOfTurn(run: () => void): () => void {
  let scheduled = false;
  return () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      run();
    });
  };
}
