// Chaos run settings from flags (`npm run chaos -- --events 5000`) or CHAOS_* variables. Like the bench,
// the chaos run is a tool beside the service, so it reads its own environment here.
import os from 'node:os';
import { parseArgs } from 'node:util';

export interface ChaosOptions {
  /** Distinct events; some are delivered twice on top of these. */
  readonly events: number;
  /** Activities (created through the API first) and standalone provider keys the events are about. */
  readonly activities: number;
  readonly standaloneKeys: number;
  /** Share of events delivered a second time, later in the stream. */
  readonly duplicateShare: number;
  /** Seconds the stream of events is spread over; the faults are placed along it. */
  readonly durationS: number;
  /** SIGKILLs of a worker process over the run, evenly spaced; at least this many happen. */
  readonly kills: number;
  /** How long a killed worker stays down before a new one starts. */
  readonly restartDelayMs: number;
  readonly postgresOutageS: number;
  readonly redisOutageS: number;
  /** Requests in flight at once. */
  readonly concurrency: number;
  readonly workerConcurrency: number;
  readonly syncWaitMs: number;
  readonly drainTimeoutS: number;
  /** Any database on the server: the run's fresh database is created and dropped through it. */
  readonly adminDatabaseUrl: string;
  readonly redisUrl: string;
  /** Where the processes' logs go; the run's own directory is made inside it. */
  readonly logDir: string;
  /** Keep the database and the queue keys after the run, to look into a failure. */
  readonly keep: boolean;
  /** Seeds the order of the stream, the duplicates and the choice of worker to kill: a run can be replayed. */
  readonly seed: number;
}

export const FULL_RUN: Omit<ChaosOptions, 'adminDatabaseUrl' | 'redisUrl' | 'logDir' | 'keep' | 'seed'> = {
  events: 20_000,
  activities: 300,
  standaloneKeys: 300,
  duplicateShare: 0.05,
  durationS: 90,
  kills: 24,
  restartDelayMs: 1_000,
  postgresOutageS: 8,
  redisOutageS: 8,
  concurrency: 48,
  workerConcurrency: 16,
  syncWaitMs: 3_000,
  drainTimeoutS: 240,
};

const FLAGS = {
  events: 'CHAOS_EVENTS',
  activities: 'CHAOS_ACTIVITIES',
  keys: 'CHAOS_KEYS',
  duplicates: 'CHAOS_DUPLICATES',
  duration: 'CHAOS_DURATION',
  kills: 'CHAOS_KILLS',
  'postgres-outage': 'CHAOS_POSTGRES_OUTAGE',
  'redis-outage': 'CHAOS_REDIS_OUTAGE',
  concurrency: 'CHAOS_CONCURRENCY',
  'drain-timeout': 'CHAOS_DRAIN_TIMEOUT',
  'database-url': 'CHAOS_DATABASE_URL',
  'redis-url': 'CHAOS_REDIS_URL',
  'log-dir': 'CHAOS_LOG_DIR',
  keep: 'CHAOS_KEEP',
  seed: 'CHAOS_SEED',
} as const;

type Flag = keyof typeof FLAGS;

export function loadOptions(argv: string[], env: NodeJS.ProcessEnv, defaultLogDir: string): ChaosOptions {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.keys(FLAGS).map((flag) => [flag, { type: 'string' as const }])),
    strict: true,
  });
  const raw = (flag: Flag): string | undefined => (values[flag] as string | undefined) ?? env[FLAGS[flag]];
  const number = (flag: Flag, fallback: number, min: number, max = Infinity): number => {
    const text = raw(flag);
    const value = text === undefined ? fallback : Number(text);
    if (!Number.isFinite(value) || value < min || value > max) throw new Error(`--${flag} / ${FLAGS[flag]} must be a number from ${min} to ${max}`);
    return value;
  };
  return {
    ...FULL_RUN,
    events: Math.floor(number('events', FULL_RUN.events, 1)),
    activities: Math.floor(number('activities', FULL_RUN.activities, 0)),
    standaloneKeys: Math.floor(number('keys', FULL_RUN.standaloneKeys, 0)),
    duplicateShare: number('duplicates', FULL_RUN.duplicateShare, 0, 1),
    durationS: number('duration', FULL_RUN.durationS, 5),
    kills: Math.floor(number('kills', FULL_RUN.kills, 0)),
    postgresOutageS: number('postgres-outage', FULL_RUN.postgresOutageS, 0),
    redisOutageS: number('redis-outage', FULL_RUN.redisOutageS, 0),
    concurrency: Math.floor(number('concurrency', FULL_RUN.concurrency, 1)),
    drainTimeoutS: number('drain-timeout', FULL_RUN.drainTimeoutS, 1),
    // No USER variable to rely on: name the operating-system user, as libpq would.
    adminDatabaseUrl: raw('database-url') ?? `postgres://${os.userInfo().username}@127.0.0.1:5432/postgres`,
    redisUrl: raw('redis-url') ?? 'redis://127.0.0.1:6379',
    logDir: raw('log-dir') ?? defaultLogDir,
    keep: ['1', 'true', 'yes'].includes(String(raw('keep') ?? '').toLowerCase()),
    seed: Math.floor(number('seed', Math.floor(Math.random() * 2 ** 31), 0, 2 ** 31)),
  };
}
