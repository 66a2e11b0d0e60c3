// The bulk phase, service only: batches of events on POST /api/activity-results/tasks/batch with
// `Prefer: respond-async`, a few requests at a time for the phase's duration, then a wait until every
// accepted event is applied. The events come from the same stream as the other phases' (same keys and
// activities, each newer than the last), each request's from keys no other request in flight sends.
import { TASKS_PATH } from './load';
import { failedFigures, failedSnapshot, notAppliedOf, type PhaseOutcome, type Running } from './running';

export const BATCH_PATH = `${TASKS_PATH}/batch`;
const BATCH_SIZE = 100;
const CONCURRENCY = 4;

interface Tally {
  requests: number;
  accepted: number;
  failures: number;
  readonly answers: Record<string, number>;
  readonly items: Record<string, number>;
}

const bump = (counts: Record<string, number>, key: string | number, by = 1) => (counts[key] = (counts[key] ?? 0) + by);

async function sendBatch(run: Running, nextEvent: () => string, tally: Tally): Promise<void> {
  const texts = Array.from({ length: BATCH_SIZE }, nextEvent);
  tally.requests++;
  let response: Response;
  try {
    const { baseUrls } = run.target;
    response = await fetch(`${baseUrls[tally.requests % baseUrls.length]}${BATCH_PATH}`, {
      method: 'POST',
      headers: { ...run.target.headers, 'content-type': 'application/json', prefer: 'respond-async' },
      body: `[${texts.join(',')}]`,
      signal: AbortSignal.timeout(10_000),
    });
  } catch {
    bump(tally.answers, 'error');
    tally.failures += BATCH_SIZE;
    return;
  }
  bump(tally.answers, response.status);
  if (response.status === 404) throw new Error(`${run.name}: POST ${BATCH_PATH} answered 404: the batch route is missing`);
  const body = (await response.json().catch(() => ({}))) as { items?: { status: number }[] };
  // The route answers 202 with `Prefer: respond-async` (200 without it); anything else fails every event.
  if ((response.status !== 202 && response.status !== 200) || !Array.isArray(body.items)) {
    tally.failures += BATCH_SIZE;
    return;
  }
  for (const item of body.items) {
    bump(tally.items, item.status);
    if (item.status === 202) tally.accepted++;
    else tally.failures++;
  }
  tally.failures += Math.max(0, BATCH_SIZE - body.items.length);
}

export async function bulkPhase(run: Running): Promise<PhaseOutcome | undefined> {
  if (run.name === 'reference') return undefined;
  const { durationS, drainTimeoutS } = run.options;
  const rowsBefore = await run.historyRows();
  const failedSince = await failedSnapshot(run);
  run.log(`${run.name}: bulk, batches of ${BATCH_SIZE} by ${CONCURRENCY} at a time, ${durationS} s, then drain`);
  const tally: Tally = { requests: 0, accepted: 0, failures: 0, answers: {}, items: {} };
  const startedAt = Date.now();
  const endAt = startedAt + durationS * 1000;
  await Promise.all(
    run.events.lanes(CONCURRENCY).map(async (nextEvent) => {
      while (Date.now() < endAt) await sendBatch(run, nextEvent, tally);
    }),
  );
  const loadSeconds = (Date.now() - startedAt) / 1000;
  run.alive();
  const emptyAt = await run.queue.waitEmpty(drainTimeoutS * 1000, 20);
  run.alive();
  const applied = (await run.historyRows()) - rowsBefore;
  const seconds = ((emptyAt ?? Date.now()) - startedAt) / 1000;
  return {
    figures: {
      bulk: {
        batchSize: BATCH_SIZE,
        concurrency: CONCURRENCY,
        requests: tally.requests,
        loadSeconds,
        accepted: tally.accepted,
        acceptedPerSec: tally.accepted / loadSeconds,
        failures: tally.failures,
        answerCounts: tally.answers,
        itemCounts: tally.items,
        applied,
        seconds,
        appliedPerSec: applied / seconds,
        complete: emptyAt !== undefined,
        ...(await failedFigures(failedSince)),
      },
    },
    notApplied: notAppliedOf(tally.accepted, applied),
  };
}
