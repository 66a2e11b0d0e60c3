// Bench settings from flags (`npm run bench -- --duration 30`) or BENCH_* variables.
import path from 'node:path';
import { Flags } from '../harness/flags';
import { defaultAdminUrl } from '../harness/stores';

export const TARGET_NAMES = ['reference', 'service'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

export interface BenchOptions {
  readonly targets: readonly TargetName[];
  /** Each round runs every target once, in alternating order; the table shows medians over rounds. */
  readonly rounds: number;
  /** Seconds of load in each measured phase (sync, then async). */
  readonly durationS: number;
  /** Seconds of unmeasured load before the sync phase, so both targets are measured warm. */
  readonly warmupS: number;
  readonly connections: number;
  /** Standalone provider keys and activities the events rotate over. */
  readonly standaloneKeys: number;
  readonly activities: number;
  readonly workerConcurrency: number;
  readonly syncWaitMs: number;
  readonly drainTimeoutS: number;
  /** Whole run, all targets; past it everything started is stopped and the run fails. */
  readonly timeoutS: number;
  /** Any database on the server: fresh databases are created and dropped through it. */
  readonly adminDatabaseUrl: string;
  readonly redisUrl: string;
  /** Where the figures (JSON) and the processes' logs go. */
  readonly resultsDir: string;
  /** When set, web and worker run under `node --cpu-prof` and write their profiles to this folder. */
  readonly profileDir?: string;
}

export const FLAGS = {
  targets: 'BENCH_TARGETS',
  rounds: 'BENCH_ROUNDS',
  duration: 'BENCH_DURATION',
  warmup: 'BENCH_WARMUP',
  connections: 'BENCH_CONNECTIONS',
  keys: 'BENCH_KEYS',
  activities: 'BENCH_ACTIVITIES',
  'drain-timeout': 'BENCH_DRAIN_TIMEOUT',
  timeout: 'BENCH_TIMEOUT',
  'database-url': 'BENCH_DATABASE_URL',
  'redis-url': 'BENCH_REDIS_URL',
  profile: 'BENCH_PROFILE',
  results: 'BENCH_RESULTS',
} as const;

export function loadOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions {
  const flags = Flags.parse(FLAGS, argv, env);
  const targets = (flags.string('targets') ?? TARGET_NAMES.join(',')).split(',').map((t) => t.trim());
  const unknown = targets.filter((t) => !(TARGET_NAMES as readonly string[]).includes(t));
  if (unknown.length || targets.length === 0) throw new Error(`--targets / BENCH_TARGETS takes ${TARGET_NAMES.join(',')}`);

  const rounds = Math.floor(flags.number('rounds', 3, 1));
  const durationS = flags.number('duration', 15, 1);
  const warmupS = flags.number('warmup', 10, 0);
  const drainTimeoutS = flags.number('drain-timeout', 120, 1);
  // Per target: start-up, warm-up, two phases, two drains and clean-up, with room to spare.
  const perTargetS = 60 + warmupS + 2 * durationS + 2 * drainTimeoutS;
  return {
    targets: TARGET_NAMES.filter((t) => targets.includes(t)),
    rounds,
    durationS,
    warmupS,
    connections: flags.number('connections', 32, 1),
    standaloneKeys: flags.number('keys', 2000, 1),
    activities: flags.number('activities', 200, 0),
    workerConcurrency: 16,
    syncWaitMs: 5000,
    drainTimeoutS,
    timeoutS: flags.number('timeout', perTargetS * targets.length * rounds, 10),
    adminDatabaseUrl: flags.string('database-url') ?? defaultAdminUrl(),
    redisUrl: flags.string('redis-url') ?? 'redis://127.0.0.1:6379',
    resultsDir: path.resolve(flags.string('results') ?? path.join(__dirname, '..', '..', 'bench', 'results')),
    profileDir: flags.string('profile') && path.resolve(flags.string('profile')!),
  };
}
