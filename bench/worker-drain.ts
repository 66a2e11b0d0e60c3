// The worker drain: the worker is stopped, the async load fills the queue with no worker to take it, then
// the worker is started again and timed until the queue is empty: events applied per second by the worker
// alone, with the web idle and nothing else loading the machine.
import { failedFigures, failedSnapshot, notAppliedOf, perEvent, type PhaseOutcome, type Running } from './running';

const POLL_MS = 20;

/** Polls the history table until it has more than `rows` rows: when and how many, or undefined past the deadline. */
async function firstApplied(run: Running, rows: number, deadline: number): Promise<{ at: number; rows: number } | undefined> {
  while (Date.now() < deadline) {
    run.alive();
    const now = await run.historyRows();
    if (now > rows) return { at: Date.now(), rows: now };
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return undefined;
}

export async function workerDrainPhase(run: Running): Promise<PhaseOutcome> {
  const { durationS, drainTimeoutS } = run.options;
  const { workers, webs, headers } = run.target;
  const rowsBefore = await run.historyRows();
  const failedSince = await failedSnapshot(run);
  run.log(`${run.name}: worker stopped, async load ${durationS} s, then the worker alone until the queue is empty`);
  await Promise.all(workers.map((worker) => worker.stop()));
  const load = await run.load(durationS, { ...headers, prefer: 'respond-async' });
  webs.forEach((web) => web.assertRunning());
  const queued = await run.queue.pending();
  const rowsAtStart = await run.historyRows();
  const cpuAtStart = run.cpu();

  const startedAt = Date.now();
  workers.forEach((worker) => worker.respawn());
  const deadline = startedAt + drainTimeoutS * 1000;
  const first = queued > 0 ? await firstApplied(run, rowsAtStart, deadline) : { at: startedAt, rows: rowsAtStart };
  const emptyAt = first && (await run.queue.waitEmpty(Math.max(0, deadline - Date.now()), POLL_MS));
  run.alive();
  const rowsAtEnd = await run.historyRows();
  const endAt = emptyAt || Date.now();
  const secondsFromStart = (endAt - startedAt) / 1000;
  // Time from the first event applied, so the figure is the worker's pace and not its start-up; a queue
  // so short that it was gone by the first look is timed from the start.
  const afterFirst = first ? rowsAtEnd - first.rows : 0;
  const fromFirst = first ? (endAt - first.at) / 1000 : secondsFromStart;
  const [applied, seconds] = afterFirst > 0 && fromFirst > 0 ? [afterFirst, fromFirst] : [rowsAtEnd - rowsAtStart, secondsFromStart];
  return {
    figures: {
      workerDrain: {
        load,
        queued,
        applied: rowsAtEnd - rowsBefore,
        accepted: load.responses2xx,
        secondsFromStart,
        seconds,
        eventsPerSec: seconds > 0 ? applied / seconds : 0,
        complete: Boolean(emptyAt),
        ...(await failedFigures(failedSince)),
      },
    },
    cpuUsPerEvent: { workerDrain: perEvent(cpuAtStart, run.cpu(), rowsAtEnd - rowsAtStart) },
    notApplied: notAppliedOf(load.responses2xx, rowsAtEnd - rowsBefore),
  };
}
