// Bench settings from flags (`npm run bench -- --duration 30`) or BENCH_* variables. The bench is a tool
// beside the service, not part of it, so it reads its own environment here.
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

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

const FLAGS = {
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

type Flag = keyof typeof FLAGS;

export function loadOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.keys(FLAGS).map((flag) => [flag, { type: 'string' as const }])),
    strict: true,
  });
  const raw = (flag: Flag): string | undefined => (values[flag] as string | undefined) ?? env[FLAGS[flag]];
  const number = (flag: Flag, fallback: number, min: number): number => {
    const text = raw(flag);
    const value = text === undefined ? fallback : Number(text);
    if (!Number.isFinite(value) || value < min) throw new Error(`--${flag} / ${FLAGS[flag]} must be a number >= ${min}`);
    return value;
  };
  const targets = (raw('targets') ?? TARGET_NAMES.join(',')).split(',').map((t) => t.trim());
  const unknown = targets.filter((t) => !(TARGET_NAMES as readonly string[]).includes(t));
  if (unknown.length || targets.length === 0) throw new Error(`--targets / BENCH_TARGETS takes ${TARGET_NAMES.join(',')}`);

  const rounds = Math.floor(number('rounds', 3, 1));
  const durationS = number('duration', 15, 1);
  const warmupS = number('warmup', 10, 0);
  const drainTimeoutS = number('drain-timeout', 120, 1);
  // Per target: start-up, warm-up, two phases, two drains and clean-up, with room to spare.
  const perTargetS = 60 + warmupS + 2 * durationS + 2 * drainTimeoutS;
  return {
    targets: TARGET_NAMES.filter((t) => targets.includes(t)),
    rounds,
    durationS,
    warmupS,
    connections: number('connections', 32, 1),
    standaloneKeys: number('keys', 2000, 1),
    activities: number('activities', 200, 0),
    workerConcurrency: 16,
    syncWaitMs: 5000,
    drainTimeoutS,
    timeoutS: number('timeout', perTargetS * targets.length * rounds, 10),
    // No USER variable to rely on: name the operating-system user, as libpq would.
    adminDatabaseUrl: raw('database-url') ?? `postgres://${os.userInfo().username}@127.0.0.1:5432/postgres`,
    redisUrl: raw('redis-url') ?? 'redis://127.0.0.1:6379',
    resultsDir: path.resolve(raw('results') ?? path.join(__dirname, '..', '..', 'bench', 'results')),
    profileDir: raw('profile') && path.resolve(raw('profile')!),
  };
}
