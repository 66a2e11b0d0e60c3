// One round on one target: the phases --phases names, in a fixed order, each measured on its own and
// merged into the round's figures. The synchronous and async phases are here; the worker drain and bulk
// phases have files of their own.
import { bulkPhase } from './bulk';
import type { TargetFigures } from './figures';
import type { PhaseName } from './options';
import { failedFigures, failedSnapshot, notAppliedOf, perEvent, type PhaseOutcome, type Running, settle } from './running';
import { workerDrainPhase } from './worker-drain';

async function syncPhase(run: Running): Promise<PhaseOutcome> {
  const rowsAtStart = await run.historyRows();
  const cpuAtStart = run.cpu();
  run.log(`${run.name}: synchronous load, ${run.options.durationS} s`);
  const sync = await run.load(run.options.durationS, run.target.headers);
  await settle(run, 'the synchronous load');
  const applied = (await run.historyRows()) - rowsAtStart;
  return {
    figures: { sync },
    cpuUsPerEvent: { sync: perEvent(cpuAtStart, run.cpu(), applied) },
    notApplied: notAppliedOf(sync.responses2xx, applied),
  };
}

async function asyncPhase(run: Running): Promise<PhaseOutcome> {
  const rowsBefore = await run.historyRows();
  const cpuBefore = run.cpu();
  const failedSince = await failedSnapshot(run);
  run.log(`${run.name}: async load, ${run.options.durationS} s, then drain`);
  const startedAt = Date.now();
  const async = await run.load(run.options.durationS, { ...run.target.headers, prefer: 'respond-async' });
  run.alive();
  const emptyAt = await run.waitEmpty();
  const applied = (await run.historyRows()) - rowsBefore;
  const seconds = ((emptyAt ?? Date.now()) - startedAt) / 1000;
  const cpu = perEvent(cpuBefore, run.cpu(), applied);
  run.alive();
  const drain = {
    applied,
    accepted: async.responses2xx,
    seconds,
    eventsPerSec: applied / seconds,
    complete: emptyAt !== undefined,
    ...(await failedFigures(failedSince)),
  };
  return { figures: { async, drain }, cpuUsPerEvent: { async: cpu }, notApplied: notAppliedOf(async.responses2xx, applied) };
}

/** In the order a round runs them; `drain` is part of `async`, `limits` is once a run (limits/). */
const PHASES: readonly { readonly name: PhaseName; readonly run: (run: Running) => Promise<PhaseOutcome | undefined> }[] = [
  { name: 'sync', run: syncPhase },
  { name: 'async', run: asyncPhase },
  { name: 'worker-drain', run: workerDrainPhase },
  { name: 'bulk', run: bulkPhase },
];

export async function measureRound(run: Running): Promise<TargetFigures> {
  let figures: PhaseOutcome['figures'] = {};
  let cpuUsPerEvent: TargetFigures['cpuUsPerEvent'] = {};
  let notApplied = 0;
  for (const phase of PHASES.filter((p) => run.options.phases.has(p.name))) {
    const outcome = await phase.run(run);
    if (!outcome) continue;
    figures = { ...figures, ...outcome.figures };
    cpuUsPerEvent = { ...cpuUsPerEvent, ...outcome.cpuUsPerEvent };
    notApplied += outcome.notApplied;
  }
  run.alive();
  const { webs, workers } = run.target;
  // The processes run for the whole run: their peak so far, of the largest of each kind.
  const peakMb = (children: readonly { peakRssKb: number }[]) => Math.max(...children.map((c) => c.peakRssKb)) / 1024;
  return { ...figures, notApplied, peakRssMb: { web: peakMb(webs), worker: peakMb(workers) }, cpuUsPerEvent };
}
