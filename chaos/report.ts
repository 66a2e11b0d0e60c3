// The figures of a chaos run and the verdict. The run passes only when nothing acknowledged was lost,
// nothing was duplicated, every final state is right, hostile input got no 5xx, and no request hung.
import type { HostileFigures } from './hostile';
import type { JobStats } from './job-stats';
import type { Ledger } from './ledger';
import type { Verification } from './verify';

export interface FaultFigures {
  readonly workerKills: number;
  readonly workersStarted: number;
  readonly postgresOutages: { readonly seconds: number; readonly terminatedConnections: number }[];
  readonly redisOutages: { readonly seconds: number }[];
  /**
   * On a Redis Cluster: each master that lost its place, by CLUSTER FAILOVER (seconds from the command until
   * the replica was master) or SIGKILL (seconds from the kill until the replica was elected and the cluster
   * ok; the killed node's rejoining as a replica, also from the kill).
   */
  readonly failovers?: {
    readonly kind: 'CLUSTER FAILOVER' | 'SIGKILL';
    readonly seconds: number;
    readonly master: string;
    readonly rejoinedSeconds?: number;
  }[];
}

export interface ChaosReport {
  readonly seed: number;
  readonly seconds: { readonly sending: number; readonly drain: number; readonly total: number };
  readonly stream: {
    readonly events: number;
    readonly deliveries: number;
    readonly requests: number;
    readonly acknowledged: number;
    readonly rejectedByCode: Record<string, number>;
    /** Events that never got a 2xx or a 4xx before the client gave up. */
    readonly unanswered: number;
    readonly answersByStatus: Record<string, number>;
    readonly refused503: number;
    readonly refusalMs: { readonly p99: number; readonly max: number };
    readonly hung: number;
    /** 5xx other than 503 to a valid event. */
    readonly serverErrors: Record<string, number>;
  };
  /** The errors the web processes logged (the cause of each 500), most frequent first. */
  readonly webErrors: string[];
  readonly faults: FaultFigures;
  readonly hostile: HostileFigures;
  readonly drained: boolean;
  readonly failedJobsByReason: Record<string, number>;
  readonly jobs: JobStats;
  readonly verification: Verification;
  readonly pass: boolean;
  readonly failures: string[];
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function streamFigures(ledger: Ledger): ChaosReport['stream'] {
  const stream = [...ledger.records.values()].filter((r) => !r.event.hostile);
  const rejectedByCode: Record<string, number> = {};
  for (const r of stream) if (!r.acknowledged && r.rejection) rejectedByCode[r.rejection] = (rejectedByCode[r.rejection] ?? 0) + 1;
  return {
    events: stream.length,
    deliveries: ledger.deliveries,
    requests: ledger.requests,
    acknowledged: stream.filter((r) => r.acknowledged).length,
    rejectedByCode,
    unanswered: stream.filter((r) => !r.acknowledged && !r.rejection).length,
    answersByStatus: Object.fromEntries([...ledger.statuses].sort(([a], [b]) => a - b).map(([status, n]) => [String(status), n])),
    refused503: ledger.refusalMs.length,
    refusalMs: { p99: Math.round(percentile(ledger.refusalMs, 99)), max: Math.round(Math.max(0, ...ledger.refusalMs)) },
    hung: ledger.hung,
    serverErrors: Object.fromEntries(ledger.serverErrorCodes),
  };
}

/** Every reason the run fails; none means it passes. */
export function judge(report: Omit<ChaosReport, 'pass' | 'failures'>): string[] {
  const failures: string[] = [];
  const { verification: v } = report;
  if (!report.drained) failures.push('the queue did not drain');
  if (v.lost > 0) {
    // Still a failure: the note says where such a loss can come from, not that it is excused.
    const killed = report.faults.failovers?.some((f) => f.kind === 'SIGKILL');
    failures.push(
      `${v.lost} acknowledged events lost${killed ? ' (a master was killed: writes it acknowledged before its replica had them are gone, docs/redis-cluster.md)' : ''}`,
    );
  }
  if (v.duplicated > 0) failures.push(`${v.duplicated} duplicates`);
  if (v.wrong > 0) failures.push(`${v.wrong} wrong final states`);
  const streamServerErrors = Object.values(report.stream.serverErrors).reduce((a, b) => a + b, 0);
  if (streamServerErrors > 0) failures.push(`${streamServerErrors} 5xx answers other than 503 to valid events`);
  if (report.hostile.serverErrors.length > 0)
    failures.push(`${report.hostile.serverErrors.length} 5xx answers to malformed or hostile input`);
  if (report.hostile.raceViolations.length > 0)
    failures.push(`${report.hostile.raceViolations.length} Idempotency-Key races not answered one 2xx and one 422`);
  if (report.stream.hung > 0) failures.push(`${report.stream.hung} requests hung past the client's timeout`);
  // Not the service's fault, but then the run proved nothing about Redis outages.
  if (report.faults.redisOutages.length > 0 && report.stream.refused503 === 0) failures.push('the Redis outage met no request');
  return failures;
}

const line = (label: string, value: unknown) => `  ${label.padEnd(34)} ${typeof value === 'object' ? JSON.stringify(value) : value}`;

export function formatReport(r: ChaosReport): string {
  const v = r.verification;
  const lines = [
    `chaos run (seed ${r.seed}): ${r.pass ? 'PASS' : `FAIL: ${r.failures.join('; ')}`}`,
    'stream',
    line('events sent', r.stream.events),
    line('deliveries (with duplicates)', r.stream.deliveries),
    line('requests (with retries)', r.stream.requests),
    line('acknowledged (2xx/202)', r.stream.acknowledged),
    line('rejected (4xx), by code', r.stream.rejectedByCode),
    line('refused (503 answers)', r.stream.refused503),
    line('503 latency p99 / max ms', `${r.stream.refusalMs.p99} / ${r.stream.refusalMs.max}`),
    line('never answered (client gave up)', r.stream.unanswered),
    line('answers by status', r.stream.answersByStatus),
    line('other 5xx to valid events', r.stream.serverErrors),
    line('errors the webs logged', r.webErrors.length === 0 ? 'none' : ''),
    ...r.webErrors.map((e) => `      ${e}`),
    line('hung requests', r.stream.hung),
    'faults',
    line('worker SIGKILLs', `${r.faults.workerKills} (${r.faults.workersStarted} worker processes started)`),
    line(
      'PostgreSQL outages',
      r.faults.postgresOutages.map((o) => `${o.seconds.toFixed(1)} s, ${o.terminatedConnections} connections terminated`).join('; ') ||
        'none',
    ),
    line('Redis outages', r.faults.redisOutages.map((o) => `${o.seconds.toFixed(1)} s`).join('; ') || 'none'),
    ...(r.faults.failovers
      ? [
          line(
            'master failovers',
            r.faults.failovers
              .map(
                (f) =>
                  `${f.kind} of ${f.master}: replica master in ${f.seconds.toFixed(1)} s` +
                  (f.rejoinedSeconds === undefined ? '' : `, old master a replica in ${f.rejoinedSeconds.toFixed(1)} s`),
              )
              .join('; ') || 'none',
          ),
        ]
      : []),
    line('hostile requests', r.hostile.requests),
    line('hostile answers by status', r.hostile.byStatus),
    line('5xx to malformed/hostile input', r.hostile.serverErrors.length),
    ...r.hostile.serverErrors.slice(0, 8).map((e) => `      ${e}`),
    line('hostile accepted, not checkable', r.hostile.acceptedUnchecked.length),
    line('Idempotency-Key races broken', r.hostile.raceViolations.length),
    ...r.hostile.raceViolations.slice(0, 8).map((e) => `      ${e}`),
    line('slowest hostile answer', `${Math.round(r.hostile.slowest.ms)} ms (${r.hostile.slowest.name})`),
    'final state',
    line('queue drained', r.drained),
    line('failed jobs, by reason', r.failedJobsByReason),
    line(
      'jobs recovered after a worker kill',
      `${r.jobs.recoveredFromStall} of ${r.jobs.jobs} (most stalls of one job: ${r.jobs.mostStalls})`,
    ),
    line('jobs retried', `${r.jobs.retried} (most attempts of one job: ${r.jobs.mostAttempts})`),
    line('applied (history rows)', v.applied),
    line('acknowledged and applied', v.acknowledgedApplied),
    line('acknowledged, superseded (stale)', v.superseded),
    line('applied, never acknowledged', v.appliedUnacknowledged),
    line('LOST', v.lost),
    ...v.examples.lost.map((e) => `      ${e}`),
    line('DUPLICATED', v.duplicated),
    ...v.examples.duplicated.map((e) => `      ${e}`),
    line('WRONG final state', v.wrong),
    ...v.examples.wrong.map((e) => `      ${e}`),
    line('5xx to malformed input', r.hostile.serverErrors.length),
    'time',
    line('sending / drain / total s', `${r.seconds.sending.toFixed(1)} / ${r.seconds.drain.toFixed(1)} / ${r.seconds.total.toFixed(1)}`),
  ];
  return lines.join('\n');
}
