// The only module that reads process.env. Everything else receives a Config.
import Joi from 'joi';
import { hashTagOf, parseShardList } from '../domain/queue-shards';
import { defaultBurst, rateLimitProblem, type RateLimit } from '../domain/rate-limits';
import { parseClusterNodes, type RedisTarget } from './redis';

export interface Config {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** REDIS_URL, or the Redis Cluster REDIS_CLUSTER_NODES names: what config/redis.ts connects to. */
  readonly redis: RedisTarget;
  readonly port: number;
  readonly syncWaitMs: number;
  readonly workerConcurrency: number;
  /** The worker process's niceness: above the web's, so a burst of requests is answered before it is applied. */
  readonly workerNice: number;
  readonly queuePrefix: string;
  /** The task-result queue's shards, each under its own hash tag (domain/queue-shards.ts). */
  readonly queueShards: number;
  /** The shards this worker process may consume; any when unset. */
  readonly workerShards?: readonly number[];
  /** How long a task-result shard whose worker process died waits before another takes it over. */
  readonly shardLeaseMs: number;
  /**
   * Replicas that must hold a job (Redis WAIT) before the API acknowledges it, and how long to wait for
   * them: a 503 when they do not (docs/redis-cluster.md).
   */
  readonly redisWait: { readonly replicas: number; readonly timeoutMs: number };
  readonly bullBoard: { readonly user?: string; readonly password?: string; readonly readOnly: boolean };
  readonly maxClockSkewMs: number;
  /** Every tenant's limit unless it has an override (admin CLI `tenant:limit`); rps 0 turns it off. */
  readonly rateLimit: RateLimit;
  readonly logLevel: string;
  readonly environment: string;
  /** Where the worker process serves its own /metrics (job outcomes); not served when unset. */
  readonly workerMetricsPort?: number;
  /** When set, the web's and the worker's /metrics want `Authorization: Bearer <token>`. */
  readonly metricsToken?: string;
}

const schema = Joi.object({
  DATABASE_URL: Joi.string()
    .uri({ scheme: ['postgres', 'postgresql'] })
    .default('postgres://localhost:5432/activity_results'),
  REDIS_URL: Joi.string()
    .uri({ scheme: ['redis', 'rediss'] })
    .default('redis://127.0.0.1:6379'),
  REDIS_CLUSTER_NODES: Joi.string()
    .pattern(/^\s*[^\s,:]+:\d{1,5}\s*(,\s*[^\s,:]+:\d{1,5}\s*)*$/)
    .messages({
      'string.pattern.base': 'must be host:port,host:port,…',
    }),
  PORT: Joi.number().integer().min(0).max(65535).default(3000),
  SYNC_WAIT_MS: Joi.number().integer().min(0).max(60000).default(5000),
  // Jobs in flight per worker process: they are applied in batches (docs/decisions/007-group-commit.md).
  WORKER_CONCURRENCY: Joi.number().integer().min(1).max(1000).default(384),
  WORKER_NICE: Joi.number().integer().min(0).max(19).default(5),
  // On a Redis Cluster every key of a queue must hash to one slot: the prefix carries a {hash tag}.
  QUEUE_PREFIX: Joi.string()
    .pattern(/^[^:\s]+$/)
    .default((env: { REDIS_CLUSTER_NODES?: string }) => (env.REDIS_CLUSTER_NODES ? '{bull}' : 'bull')),
  QUEUE_SHARDS: Joi.number().integer().min(1).max(64).default(1),
  WORKER_SHARDS: Joi.string()
    .allow('')
    .pattern(/^\s*\d+\s*(,\s*\d+\s*)*$/)
    .messages({ 'string.pattern.base': 'must be shard numbers such as 0,2' }),
  // One worker process consumes a shard at a time, holding a lease it renews (docs/decisions/011-shard-leases.md).
  SHARD_LEASE_MS: Joi.number().integer().min(1000).max(300000).default(15000),
  // A master's replica must hold a job before its 202, so a failover cannot drop it: one on a cluster,
  // none on a single Redis unless it has replicas. WAIT holds the producer's connection: keep it short.
  REDIS_WAIT_REPLICAS: Joi.number()
    .integer()
    .min(0)
    .max(16)
    .default((env: { REDIS_CLUSTER_NODES?: string }) => (env.REDIS_CLUSTER_NODES ? 1 : 0)),
  REDIS_WAIT_MS: Joi.number().integer().min(1).max(900).default(250),
  BULL_BOARD_USER: Joi.string().min(1),
  // The board acts on every tenant's jobs; a short password falls to guessing even at 100 tries a minute.
  BULL_BOARD_PASSWORD: Joi.string().min(12),
  BULL_BOARD_READ_ONLY: Joi.boolean().truthy('1').falsy('0').default(false),
  MAX_CLOCK_SKEW_MS: Joi.number().integer().min(0).default(300000),
  // A provider API's default: enough for a busy integration, not for one tenant to crowd out the rest.
  RATE_LIMIT_RPS: Joi.number().integer().min(0).default(100),
  RATE_LIMIT_BURST: Joi.number()
    .integer()
    .min(0)
    .default((env: { RATE_LIMIT_RPS: number }) => defaultBurst(env.RATE_LIMIT_RPS)),
  LOG_LEVEL: Joi.string().valid('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent').default('info'),
  NODE_ENV: Joi.string().default('development'),
  WORKER_METRICS_PORT: Joi.number().integer().min(0).max(65535),
  // Messages that never print the token itself.
  METRICS_TOKEN: Joi.string().min(16).max(512).pattern(/^\S+$/).messages({ 'string.pattern.base': 'must not contain spaces' }),
})
  .and('BULL_BOARD_USER', 'BULL_BOARD_PASSWORD')
  .unknown(true);

export class ConfigError extends Error {}

/** Validates the environment; throws one ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const { value, error } = schema.validate(env, { abortEarly: false, convert: true });
  const problems = (error?.details ?? []).map((d) => `${d.context?.key ?? d.path.join('.')}: ${d.message.replace(/^"[^"]*" /, '')}`);
  const rateLimit = { rps: value.RATE_LIMIT_RPS, burst: value.RATE_LIMIT_BURST };
  if (!error && rateLimitProblem(rateLimit)) problems.push(`RATE_LIMIT_BURST: must be at least RATE_LIMIT_RPS (${rateLimit.rps})`);
  if (!error && value.REDIS_CLUSTER_NODES && hashTagOf(value.QUEUE_PREFIX) === undefined)
    problems.push('QUEUE_PREFIX: must contain a {hash tag} on a Redis Cluster (REDIS_CLUSTER_NODES), such as {bull}');
  const workerShards = error ? undefined : parseShardList(value.WORKER_SHARDS);
  if (workerShards?.some((shard) => shard >= value.QUEUE_SHARDS))
    problems.push(`WORKER_SHARDS: shards are numbered from 0 to ${value.QUEUE_SHARDS - 1} (QUEUE_SHARDS ${value.QUEUE_SHARDS})`);
  if (problems.length > 0) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  return Object.freeze({
    databaseUrl: value.DATABASE_URL,
    redisUrl: value.REDIS_URL,
    redis: Object.freeze(
      value.REDIS_CLUSTER_NODES
        ? { url: value.REDIS_URL, clusterNodes: Object.freeze(parseClusterNodes(value.REDIS_CLUSTER_NODES)) }
        : { url: value.REDIS_URL },
    ),
    port: value.PORT,
    syncWaitMs: value.SYNC_WAIT_MS,
    workerConcurrency: value.WORKER_CONCURRENCY,
    workerNice: value.WORKER_NICE,
    queuePrefix: value.QUEUE_PREFIX,
    queueShards: value.QUEUE_SHARDS,
    workerShards: workerShards && Object.freeze(workerShards),
    shardLeaseMs: value.SHARD_LEASE_MS,
    redisWait: Object.freeze({ replicas: value.REDIS_WAIT_REPLICAS, timeoutMs: value.REDIS_WAIT_MS }),
    bullBoard: Object.freeze({
      user: value.BULL_BOARD_USER,
      password: value.BULL_BOARD_PASSWORD,
      readOnly: value.BULL_BOARD_READ_ONLY,
    }),
    maxClockSkewMs: value.MAX_CLOCK_SKEW_MS,
    rateLimit: Object.freeze(rateLimit),
    logLevel: value.LOG_LEVEL,
    environment: value.NODE_ENV,
    workerMetricsPort: value.WORKER_METRICS_PORT,
    metricsToken: value.METRICS_TOKEN,
  });
}

/** For entry points: print the one-line reason and exit instead of a stack trace. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(78); // EX_CONFIG
  }
}
