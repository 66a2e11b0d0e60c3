// The comparison printed: the table (judging.ts decides what is in it), the ratios round by round, a line
// per round on what the table leaves out, the limits; and every figure written as JSON.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Limits, Runs, TargetFigures } from './figures';
import { FIGURES, roundRatios, type OfLimit, type Pairing, type Row } from './judging';
import type { PhaseFigures } from './load';

function formatOfLimit(of: OfLimit | null): string {
  if (!of) return '-';
  const parts = [of.pg !== undefined && `pg ${of.pg.toFixed(2)}`, of.bullmq !== undefined && `mq ${of.bullmq.toFixed(2)}`];
  return parts.filter(Boolean).join(' ');
}

/** `pairing`: what the two columns hold (judging.ts), the service and the reference unless said. */
export function formatTable(rows: readonly Row[], pairing: Pairing = { subject: 'service', baseline: 'reference' }): string {
  const digits = new Map(FIGURES.map((f) => [f.name, f.digits]));
  const num = (value: number | null, d: number) => (value === null ? '-' : value.toFixed(d));
  const cells = [
    ['figure', pairing.subject, pairing.baseline, 'ratio', 'target', 'pass', 'of limit'],
    ...rows.map((r) => {
      const d = digits.get(r.figure) ?? 1;
      return [
        r.figure,
        num(r.service, d),
        num(r.reference, d),
        num(r.ratio, 2),
        r.target || '-',
        r.pass === null ? '-' : r.pass ? 'yes' : 'NO',
        formatOfLimit(r.ofLimit),
      ];
    }),
  ];
  const widths = cells[0].map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/**
 * The judged ratios round by round: how far single rounds scatter around the medians the table judges.
 * Round r of each target ran within the same round, under a minute apart.
 */
export function formatRoundRatios(runs: Runs): string {
  const rows = roundRatios(runs);
  if (rows.length === 0) return '';
  const each = (ratios: (number | null)[]) => ratios.map((r) => (r === null ? '-' : r.toFixed(2))).join(' ');
  return `ratios by round: ${rows.map((row) => `${row.figure} ${each(row.ratios)}`).join('; ')}`;
}

function describeRound(f: TargetFigures): string {
  const codes = (p: PhaseFigures) => JSON.stringify(p.statusCounts);
  const state = (complete: boolean) => (complete ? 'queue emptied' : 'queue NOT empty at the drain timeout');
  const failed = (f: { failedJobs: number; failedByReason?: Record<string, number> }) =>
    `${f.failedJobs} failed jobs${f.failedByReason ? ` ${JSON.stringify(f.failedByReason)}` : ''}`;
  const parts: string[] = [];
  if (f.sync) parts.push(`sync ${codes(f.sync)}`);
  if (f.async) parts.push(`async ${codes(f.async)}`);
  if (f.drain) {
    const { applied, accepted, seconds, complete } = f.drain;
    parts.push(`drain ${applied} applied of ${accepted} accepted in ${seconds.toFixed(1)} s, ${state(complete)}, ${failed(f.drain)}`);
  }
  if (f.workerDrain) {
    const { load, queued, applied, accepted, seconds, secondsFromStart, complete } = f.workerDrain;
    parts.push(
      `worker drain: load ${codes(load)}, ${queued} queued; ${applied} applied of ${accepted} accepted, ` +
        `${seconds.toFixed(1)} s from the first applied (${secondsFromStart.toFixed(1)} s from the start), ${state(complete)}, ${failed(f.workerDrain)}`,
    );
  }
  if (f.bulk) {
    const { requests, answerCounts, itemCounts, applied, accepted, seconds, complete } = f.bulk;
    parts.push(
      `bulk: ${requests} requests ${JSON.stringify(answerCounts)}, items ${JSON.stringify(itemCounts)}; ` +
        `${applied} applied of ${accepted} accepted in ${seconds.toFixed(1)} s, ${state(complete)}, ${failed(f.bulk)}`,
    );
  }
  return parts.join('; ');
}

/** One line per target and round on what the table leaves out: status codes, and whether every accepted event landed. */
export function formatDetails(runs: Runs): string {
  return Object.entries(runs)
    .flatMap(([name, list]) => list.map((f, round) => `${name} #${round + 1}: ${describeRound(f)}`))
    .join('\n');
}

/** The limits the "of limit" column divides by. */
export function formatLimits(limits: Limits): string {
  const lines: string[] = [];
  const { bullmq, pg, pgSkipped } = limits;
  if (bullmq) {
    lines.push(
      `BullMQ alone (${bullmq.jobs} jobs, addBulk by ${bullmq.chunk}, no-op worker at concurrency ${bullmq.concurrency}): ` +
        `${bullmq.addsPerSec.toFixed(0)} adds/s, ${bullmq.processedPerSec.toFixed(0)} processed/s (mq)`,
    );
  }
  for (const [limit, tag] of [
    [pg?.oneEvent, ''],
    [pg?.sixteenEvents, ' (pg)'],
  ] as const) {
    if (!limit) continue;
    const { eventsPerTransaction: n, clients, transactionsPerSec, eventsPerSec } = limit;
    lines.push(
      `PostgreSQL alone (pgbench, ${n} event${n > 1 ? 's' : ''} a transaction, ${clients} clients): ` +
        `${transactionsPerSec.toFixed(0)} tx/s, ${eventsPerSec.toFixed(0)} events/s${tag}`,
    );
  }
  if (pgSkipped) lines.push(`PostgreSQL's limit not measured: ${pgSkipped}`);
  return lines.length ? `limits: ${lines.join('\n        ')}` : '';
}

export function writeResults(dir: string, stamp: string, content: unknown): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${stamp}.json`);
  writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`);
  return file;
}
