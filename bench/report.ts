// The figures of each target, compared: each service figure as a ratio to the reference, judged against the
// target in FIGURES below. Printed as a table and written as JSON.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { PhaseFigures } from './load';
import type { TargetName } from './options';

export interface TargetFigures {
  readonly sync: PhaseFigures;
  readonly async: PhaseFigures;
  readonly drain: {
    /** History rows added from the start of the async load until the queue was empty. */
    readonly applied: number;
    /** 2xx answers in the async phase: each should become one applied event. */
    readonly accepted: number;
    readonly seconds: number;
    readonly eventsPerSec: number;
    /** False when the queue was still not empty at the drain timeout. */
    readonly complete: boolean;
    readonly failedJobs: number;
  };
  /** Events answered 2xx (sync or async) that never became a history row: should be none. */
  readonly notApplied: number;
  readonly peakRssMb: { readonly web: number; readonly worker: number };
  /**
   * CPU time per applied event, in µs: for the synchronous phase until its queue was empty, and for the
   * async phase with its drain. Where the time goes, and less noisy than the rates on a shared machine.
   */
  readonly cpuUsPerEvent: { readonly sync: ProcessCpu; readonly async: ProcessCpu };
}

export interface ProcessCpu {
  readonly web: number;
  readonly worker: number;
}

type Target = { kind: 'ratio-min' | 'ratio-max' | 'max' | 'zero'; value: number };

type Figure = { name: string; digits: number; pick: (f: TargetFigures) => number; target?: Target; worst?: true };

// Over several rounds a figure is the median, except the ones judged on their worst case (marked `worst`).
const FIGURES: Figure[] = [
  { name: 'sync req/s', digits: 0, pick: (f) => f.sync.requestsPerSec, target: { kind: 'ratio-min', value: 0.8 } },
  { name: 'sync p50 ms', digits: 1, pick: (f) => f.sync.p50Ms },
  { name: 'sync p99 ms', digits: 1, pick: (f) => f.sync.p99Ms, target: { kind: 'ratio-max', value: 1.5 } },
  { name: 'sync non-2xx+errors', digits: 0, pick: (f) => f.sync.failures, target: { kind: 'zero', value: 0 }, worst: true },
  { name: 'async req/s', digits: 0, pick: (f) => f.async.requestsPerSec, target: { kind: 'ratio-min', value: 0.8 } },
  { name: 'async p99 ms', digits: 1, pick: (f) => f.async.p99Ms },
  { name: 'async non-2xx+errors', digits: 0, pick: (f) => f.async.failures, target: { kind: 'zero', value: 0 }, worst: true },
  { name: 'drain events/s', digits: 0, pick: (f) => f.drain.eventsPerSec, target: { kind: 'ratio-min', value: 0.8 } },
  { name: '2xx events not applied', digits: 0, pick: (f) => f.notApplied, target: { kind: 'zero', value: 0 }, worst: true },
  { name: 'sync web CPU us/event', digits: 0, pick: (f) => f.cpuUsPerEvent.sync.web },
  { name: 'sync worker CPU us/event', digits: 0, pick: (f) => f.cpuUsPerEvent.sync.worker },
  { name: 'async web CPU us/event', digits: 0, pick: (f) => f.cpuUsPerEvent.async.web },
  { name: 'async worker CPU us/event', digits: 0, pick: (f) => f.cpuUsPerEvent.async.worker },
  { name: 'web peak RSS MB', digits: 0, pick: (f) => f.peakRssMb.web, target: { kind: 'max', value: 200 }, worst: true },
  { name: 'worker peak RSS MB', digits: 0, pick: (f) => f.peakRssMb.worker, target: { kind: 'max', value: 250 }, worst: true },
];

export interface Row {
  readonly figure: string;
  readonly service: number | null;
  readonly reference: number | null;
  readonly ratio: number | null;
  readonly target: string;
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

function aggregate(figure: Figure, runs: readonly TargetFigures[] | undefined): number | null {
  if (!runs?.length) return null;
  const values = runs.map(figure.pick).sort((a, b) => a - b);
  if (figure.worst) return values[values.length - 1];
  const middle = Math.floor(values.length / 2);
  return values.length % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

export type Runs = Partial<Record<TargetName, TargetFigures[]>>;

export function compare(runs: Runs): Row[] {
  return FIGURES.map((figure) => {
    const { name, target } = figure;
    const service = aggregate(figure, runs.service);
    const reference = aggregate(figure, runs.reference);
    const ratio = service !== null && reference ? service / reference : null;
    return { figure: name, service, reference, ratio, target: describe(target), pass: judge(target, service, ratio) };
  });
}

export function formatTable(rows: readonly Row[]): string {
  const digits = new Map(FIGURES.map((f) => [f.name, f.digits]));
  const num = (value: number | null, d: number) => (value === null ? '-' : value.toFixed(d));
  const cells = [
    ['figure', 'service', 'reference', 'ratio', 'target', 'pass'],
    ...rows.map((r) => {
      const d = digits.get(r.figure) ?? 1;
      return [
        r.figure,
        num(r.service, d),
        num(r.reference, d),
        num(r.ratio, 2),
        r.target || '-',
        r.pass === null ? '-' : r.pass ? 'yes' : 'NO',
      ];
    }),
  ];
  const widths = cells[0].map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  const line = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/**
 * The judged ratios round by round: how far single rounds scatter around the medians the table judges.
 * Round r of each target ran within the same round, under a minute apart.
 */
export function formatRoundRatios(runs: Runs): string {
  const { service = [], reference = [] } = runs;
  const rounds = Math.min(service.length, reference.length);
  if (rounds === 0) return '';
  const ratios = FIGURES.filter((f) => f.target?.kind.startsWith('ratio')).map((figure) => {
    const each = Array.from({ length: rounds }, (_, r) => (figure.pick(service[r]) / figure.pick(reference[r])).toFixed(2));
    return `${figure.name} ${each.join(' ')}`;
  });
  return `ratios by round: ${ratios.join('; ')}`;
}

/** One line per target on what the table leaves out: status codes, and whether every accepted event landed. */
export function formatDetails(runs: Runs): string {
  return Object.entries(runs)
    .flatMap(([name, list]) => list.map((f, round) => ({ name: `${name} #${round + 1}`, f })))
    .map(({ name, f }) => {
      const codes = (p: PhaseFigures) => JSON.stringify(p.statusCounts);
      const drain = `${f.drain.applied} applied of ${f.drain.accepted} accepted in ${f.drain.seconds.toFixed(1)} s`;
      const state = f.drain.complete ? 'queue emptied' : 'queue NOT empty at the drain timeout';
      return `${name}: sync ${codes(f.sync)}, async ${codes(f.async)}; drain ${drain}, ${state}, ${f.drain.failedJobs} failed jobs`;
    })
    .join('\n');
}

export function writeResults(dir: string, stamp: string, content: unknown): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${stamp}.json`);
  writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`);
  return file;
}
