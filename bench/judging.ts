// The figures compared: each service figure as a ratio to the reference's (the same figure, or the one
// named in FIGURES below), judged against its target, and where a limit applies as a fraction of it.
import type { Limits, Runs, TargetFigures } from './figures';
import type { TargetName } from './options';

type Target = { kind: 'ratio-min' | 'ratio-max' | 'max' | 'zero'; value: number };

type Pick = (f: TargetFigures) => number | undefined;

export interface Figure {
  readonly name: string;
  readonly digits: number;
  readonly pick: Pick;
  /** The reference's figure it is compared with, when not the same one. */
  readonly reference?: Pick;
  readonly target?: Target;
  /** Judged on the worst round instead of the median. */
  readonly worst?: true;
  /** Events applied by the worker: shown as a fraction of PostgreSQL's and BullMQ's limits too. */
  readonly limited?: true;
}

const zero = (name: string, pick: Pick): Figure => ({ name, digits: 0, pick, target: { kind: 'zero', value: 0 }, worst: true });

export const FIGURES: readonly Figure[] = [
  { name: 'sync req/s', digits: 0, pick: (f) => f.sync?.requestsPerSec, target: { kind: 'ratio-min', value: 1.0 } },
  { name: 'sync p50 ms', digits: 1, pick: (f) => f.sync?.p50Ms },
  { name: 'sync p99 ms', digits: 1, pick: (f) => f.sync?.p99Ms, target: { kind: 'ratio-max', value: 1.2 } },
  zero('sync non-2xx+errors', (f) => f.sync?.failures),
  { name: 'async req/s', digits: 0, pick: (f) => f.async?.requestsPerSec, target: { kind: 'ratio-min', value: 1.0 } },
  { name: 'async p99 ms', digits: 1, pick: (f) => f.async?.p99Ms },
  zero('async non-2xx+errors', (f) => f.async?.failures),
  { name: 'drain events/s', digits: 0, pick: (f) => f.drain?.eventsPerSec, target: { kind: 'ratio-min', value: 1.5 }, limited: true },
  {
    name: 'worker drain events/s',
    digits: 0,
    pick: (f) => f.workerDrain?.eventsPerSec,
    target: { kind: 'ratio-min', value: 3 },
    limited: true,
  },
  zero('worker drain load non-2xx+errors', (f) => f.workerDrain?.load.failures),
  { name: 'bulk accepted events/s', digits: 0, pick: (f) => f.bulk?.acceptedPerSec, reference: () => undefined },
  {
    name: 'bulk end-to-end events/s (ref: drain)',
    digits: 0,
    pick: (f) => f.bulk?.appliedPerSec,
    reference: (f) => f.drain?.eventsPerSec,
    target: { kind: 'ratio-min', value: 3 },
    limited: true,
  },
  zero('bulk failed events', (f) => f.bulk?.failures),
  zero('2xx events not applied', (f) => f.notApplied),
  { name: 'sync web CPU us/event', digits: 0, pick: (f) => f.cpuUsPerEvent.sync?.web },
  { name: 'sync worker CPU us/event', digits: 0, pick: (f) => f.cpuUsPerEvent.sync?.worker },
  { name: 'async web CPU us/event', digits: 0, pick: (f) => f.cpuUsPerEvent.async?.web },
  { name: 'async worker CPU us/event', digits: 0, pick: (f) => f.cpuUsPerEvent.async?.worker },
  { name: 'worker drain worker CPU us/event', digits: 0, pick: (f) => f.cpuUsPerEvent.workerDrain?.worker },
  { name: 'web peak RSS MB', digits: 0, pick: (f) => f.peakRssMb.web, target: { kind: 'max', value: 200 }, worst: true },
  { name: 'worker peak RSS MB', digits: 0, pick: (f) => f.peakRssMb.worker, target: { kind: 'max', value: 250 }, worst: true },
];

/** The service figure over each limit that bounds it; a limit not measured is absent. */
export interface OfLimit {
  /** PostgreSQL, 16 events a transaction. */
  readonly pg?: number;
  /** BullMQ's no-op processing. */
  readonly bullmq?: number;
}

export interface Row {
  readonly figure: string;
  readonly service: number | null;
  readonly reference: number | null;
  readonly ratio: number | null;
  readonly target: string;
  /** null when the figure is not bounded by a limit, or none was measured. */
  readonly ofLimit: OfLimit | null;
  /** null when there is nothing to judge (no target, or the service was not run). */
  readonly pass: boolean | null;
}

function describe(target?: Target): string {
  if (!target) return '';
  return { 'ratio-min': `>= ${target.value}x`, 'ratio-max': `<= ${target.value}x`, max: `<= ${target.value}`, zero: '0' }[target.kind];
}

function judge(target: Target | undefined, service: number | null, ratio: number | null): boolean | null {
  if (!target || service === null) return null;
  if (target.kind === 'max') return service <= target.value;
  if (target.kind === 'zero') return service === 0;
  if (ratio === null) return null;
  return target.kind === 'ratio-min' ? ratio >= target.value : ratio <= target.value;
}

/** The median over the rounds that have the figure (or the worst, for a figure judged on it). */
function aggregate(pick: Pick, worst: boolean, runs: readonly TargetFigures[] | undefined): number | null {
  const values = (runs ?? [])
    .map(pick)
    .filter((v): v is number => v !== undefined)
    .sort((a, b) => a - b);
  if (!values.length) return null;
  if (worst) return values[values.length - 1];
  const middle = Math.floor(values.length / 2);
  return values.length % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

export function ofLimit(service: number | null, limits: Limits | undefined): OfLimit | null {
  const pg = limits?.pg?.sixteenEvents.eventsPerSec;
  const bullmq = limits?.bullmq?.processedPerSec;
  if (service === null || (!pg && !bullmq)) return null;
  return { ...(pg ? { pg: service / pg } : {}), ...(bullmq ? { bullmq: service / bullmq } : {}) };
}

/**
 * What the table sets side by side: the service against the reference, or, in a run with the cluster
 * target, the service on a cluster against the service on one Redis. The `service` and `reference` of a
 * Row are then the cluster's figure and the single Redis's.
 */
export interface Pairing {
  readonly subject: TargetName;
  readonly baseline: TargetName;
}

export function pairingOf(runs: Runs): Pairing {
  return runs.cluster ? { subject: 'cluster', baseline: 'service' } : { subject: 'service', baseline: 'reference' };
}

/**
 * The ratio targets are the service's against the reference; the cluster against one Redis is measured,
 * not judged by them (on one machine a cluster only costs: docs/redis-cluster.md). Zeros and sizes still are.
 */
function targetFor(figure: Figure, pairing: Pairing): Target | undefined {
  if (pairing.baseline === 'reference') return figure.target;
  return figure.target?.kind.startsWith('ratio') ? undefined : figure.target;
}

export function compare(runs: Runs, limits?: Limits): Row[] {
  const pairing = pairingOf(runs);
  return FIGURES.map((figure) => {
    const { name } = figure;
    const target = targetFor(figure, pairing);
    // Against the service, the service's own figure (the bulk row's reference is the reference's drain).
    const baselinePick = pairing.baseline === 'reference' ? (figure.reference ?? figure.pick) : figure.pick;
    const service = aggregate(figure.pick, figure.worst ?? false, runs[pairing.subject]);
    const reference = aggregate(baselinePick, figure.worst ?? false, runs[pairing.baseline]);
    const ratio = service !== null && reference ? service / reference : null;
    return {
      figure: name,
      service,
      reference,
      ratio,
      target: describe(target),
      ofLimit: figure.limited ? ofLimit(service, limits) : null,
      pass: judge(target, service, ratio),
    };
  });
}

/** Each judged ratio round by round; a round without the figure on either side is '-'. */
export function roundRatios(runs: Runs): { figure: string; ratios: (number | null)[] }[] {
  const pairing = pairingOf(runs);
  const service = runs[pairing.subject] ?? [];
  const reference = runs[pairing.baseline] ?? [];
  const rounds = Math.min(service.length, reference.length);
  if (rounds === 0) return [];
  return FIGURES.filter((f) => f.target?.kind.startsWith('ratio'))
    .map((figure) => {
      const ratios = Array.from({ length: rounds }, (_, r) => {
        const s = figure.pick(service[r]);
        const ref = (pairing.baseline === 'reference' ? (figure.reference ?? figure.pick) : figure.pick)(reference[r]);
        return s !== undefined && ref ? s / ref : null;
      });
      return { figure: figure.name, ratios };
    })
    .filter((row) => row.ratios.some((r) => r !== null));
}
