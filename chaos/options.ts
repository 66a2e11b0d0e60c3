// Chaos run settings from flags (`npm run chaos -- --events 5000`) or CHAOS_* variables.
import { Flags, expandSwitches } from '../harness/flags';
import { defaultAdminUrl } from '../harness/stores';

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
  /**
   * Run on a local Redis Cluster of its own (3 masters, 3 replicas) with 3 queue shards, 2 web and 3 worker
   * processes, and fail a master over mid-run instead of the Redis outage (a proxy cannot stand for a cluster).
   */
  readonly redisCluster: boolean;
  /** Where the processes' logs go; the run's own directory is made inside it. */
  readonly logDir: string;
  /** Keep the database and the queue keys after the run, to look into a failure. */
  readonly keep: boolean;
  /** Seeds the order of the stream, the duplicates and the choice of worker to kill: a run can be replayed. */
  readonly seed: number;
}

export const FULL_RUN: Omit<ChaosOptions, 'adminDatabaseUrl' | 'redisUrl' | 'redisCluster' | 'logDir' | 'keep' | 'seed'> = {
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

export const FLAGS = {
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
  'redis-cluster': 'CHAOS_REDIS_CLUSTER',
  'log-dir': 'CHAOS_LOG_DIR',
  keep: 'CHAOS_KEEP',
  seed: 'CHAOS_SEED',
} as const;

/** Flags that stand alone: `--redis-cluster` means `--redis-cluster 1`. */
const SWITCHES = ['--redis-cluster'];

export function loadOptions(argv: string[], env: NodeJS.ProcessEnv, defaultLogDir: string): ChaosOptions {
  const flags = Flags.parse(FLAGS, expandSwitches(argv, SWITCHES), env);
  return {
    ...FULL_RUN,
    events: Math.floor(flags.number('events', FULL_RUN.events, 1)),
    activities: Math.floor(flags.number('activities', FULL_RUN.activities, 0)),
    standaloneKeys: Math.floor(flags.number('keys', FULL_RUN.standaloneKeys, 0)),
    duplicateShare: flags.number('duplicates', FULL_RUN.duplicateShare, 0, 1),
    durationS: flags.number('duration', FULL_RUN.durationS, 5),
    kills: Math.floor(flags.number('kills', FULL_RUN.kills, 0)),
    postgresOutageS: flags.number('postgres-outage', FULL_RUN.postgresOutageS, 0),
    redisOutageS: flags.number('redis-outage', FULL_RUN.redisOutageS, 0),
    concurrency: Math.floor(flags.number('concurrency', FULL_RUN.concurrency, 1)),
    drainTimeoutS: flags.number('drain-timeout', FULL_RUN.drainTimeoutS, 1),
    adminDatabaseUrl: flags.string('database-url') ?? defaultAdminUrl(),
    redisUrl: flags.string('redis-url') ?? 'redis://127.0.0.1:6379',
    redisCluster: flags.boolean('redis-cluster'),
    logDir: flags.string('log-dir') ?? defaultLogDir,
    keep: flags.boolean('keep'),
    seed: Math.floor(flags.number('seed', Math.floor(Math.random() * 2 ** 31), 0, 2 ** 31)),
  };
}
