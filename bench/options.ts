// Bench settings from flags (`npm run bench -- --duration 30`) or BENCH_* variables.
import path from 'node:path';
import { Flags, expandSwitches } from '../harness/flags';
import { defaultAdminUrl } from '../harness/stores';

/** `cluster`: the service on a Redis Cluster of the run's own, with queue shards. */
export const TARGET_NAMES = ['reference', 'service', 'cluster'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

/** `drain` is the async phase's own drain: naming either runs both. */
export const PHASE_NAMES = ['sync', 'async', 'drain', 'worker-drain', 'bulk', 'limits'] as const;
export type PhaseName = (typeof PHASE_NAMES)[number];

export interface BenchOptions {
  readonly targets: readonly TargetName[];
  /** What each round runs (sync, async with its drain, worker drain, bulk), and whether the limits are measured. */
  readonly phases: ReadonlySet<PhaseName>;
  /** Each round runs every target once, in alternating order; the table shows medians over rounds. */
  readonly rounds: number;
  /** Seconds of load in each measured phase, and of each pgbench run. */
  readonly durationS: number;
  /** Seconds of unmeasured load before the sync phase, so both targets are measured warm. */
  readonly warmupS: number;
  readonly connections: number;
  /** Standalone provider keys and activities the events rotate over. */
  readonly standaloneKeys: number;
  readonly activities: number;
  /** The reference worker's concurrency; the service's worker runs with its own default. */
  readonly referenceWorkerConcurrency: number;
  /** Jobs the BullMQ limit adds and processes. */
  readonly limitJobs: number;
  readonly syncWaitMs: number;
  readonly drainTimeoutS: number;
  /** Whole run, all targets; past it everything started is stopped and the run fails. */
  readonly timeoutS: number;
  /** Any database on the server: fresh databases are created and dropped through it. */
  readonly adminDatabaseUrl: string;
  readonly redisUrl: string;
  /** QUEUE_SHARDS of the `cluster` target. */
  readonly shards: number;
  /**
   * Web and worker processes of each service target: 1, or 2 in a run with the `cluster` target, so that
   * both service targets run as a scaled-out deployment and differ only in their Redis.
   */
  readonly processes: number;
  /** Where the figures (JSON) and the processes' logs go. */
  readonly resultsDir: string;
  /** When set, web and worker run under `node --cpu-prof` and write their profiles to this folder. */
  readonly profileDir?: string;
}

export const FLAGS = {
  targets: 'BENCH_TARGETS',
  phases: 'BENCH_PHASES',
  rounds: 'BENCH_ROUNDS',
  duration: 'BENCH_DURATION',
  warmup: 'BENCH_WARMUP',
  connections: 'BENCH_CONNECTIONS',
  keys: 'BENCH_KEYS',
  activities: 'BENCH_ACTIVITIES',
  'drain-timeout': 'BENCH_DRAIN_TIMEOUT',
  'limit-jobs': 'BENCH_LIMIT_JOBS',
  timeout: 'BENCH_TIMEOUT',
  'database-url': 'BENCH_DATABASE_URL',
  'redis-url': 'BENCH_REDIS_URL',
  'redis-cluster': 'BENCH_REDIS_CLUSTER',
  shards: 'BENCH_SHARDS',
  profile: 'BENCH_PROFILE',
  results: 'BENCH_RESULTS',
} as const;

/** Flags that stand alone: `--redis-cluster` means `--redis-cluster 1`. */
const SWITCHES = ['--redis-cluster'];

/** `--redis-cluster` compares the service on a cluster with the service on one Redis, by default. */
const DEFAULT_TARGETS = { single: 'reference,service', cluster: 'service,cluster' };

export function loadOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions {
  const flags = Flags.parse(FLAGS, expandSwitches(argv, SWITCHES), env);
  const clustered = flags.boolean('redis-cluster');
  const targets = (flags.string('targets') ?? DEFAULT_TARGETS[clustered ? 'cluster' : 'single']).split(',').map((t) => t.trim());
  if (clustered && !targets.includes('cluster')) targets.push('cluster');
  const unknown = targets.filter((t) => !(TARGET_NAMES as readonly string[]).includes(t));
  if (unknown.length || targets.length === 0) throw new Error(`--targets / BENCH_TARGETS takes ${TARGET_NAMES.join(',')}`);

  const phases = parsePhases(flags.string('phases'));
  const rounds = Math.floor(flags.number('rounds', 3, 1));
  const durationS = flags.number('duration', 15, 1);
  const warmupS = flags.number('warmup', 10, 0);
  const drainTimeoutS = flags.number('drain-timeout', 120, 1);
  const limitJobs = Math.floor(flags.number('limit-jobs', 50_000, 100));
  // Per target: start-up (a cluster's too), warm-up, four phases, four drains and clean-up, with room to
  // spare; then the limits.
  const perTargetS = 60 + warmupS + 4 * durationS + 4 * drainTimeoutS;
  const limitsS = phases.has('limits') ? 120 + 2 * durationS : 0;
  return {
    targets: TARGET_NAMES.filter((t) => targets.includes(t)),
    phases,
    rounds,
    durationS,
    warmupS,
    connections: flags.number('connections', 32, 1),
    standaloneKeys: flags.number('keys', 2000, 1),
    activities: flags.number('activities', 200, 0),
    referenceWorkerConcurrency: 16,
    limitJobs,
    syncWaitMs: 5000,
    drainTimeoutS,
    timeoutS: flags.number('timeout', perTargetS * targets.length * rounds + limitsS, 10),
    adminDatabaseUrl: flags.string('database-url') ?? defaultAdminUrl(),
    redisUrl: flags.string('redis-url') ?? 'redis://127.0.0.1:6379',
    shards: Math.floor(flags.number('shards', 3, 1, 64)),
    processes: targets.includes('cluster') ? 2 : 1,
    resultsDir: path.resolve(flags.string('results') ?? path.join(__dirname, '..', '..', 'bench', 'results')),
    profileDir: flags.string('profile') && path.resolve(flags.string('profile')!),
  };
}

function parsePhases(text: string | undefined): ReadonlySet<PhaseName> {
  const names = (text ?? PHASE_NAMES.join(',')).split(',').map((p) => p.trim());
  const unknown = names.filter((p) => !(PHASE_NAMES as readonly string[]).includes(p));
  if (unknown.length || names.length === 0) throw new Error(`--phases / BENCH_PHASES takes some of ${PHASE_NAMES.join(',')}`);
  const phases = new Set(names as PhaseName[]);
  if (phases.has('drain')) phases.add('async');
  if (phases.has('async')) phases.add('drain');
  return phases;
}
