import pg, { type ClientConfig } from 'pg';
import { Sequelize } from 'sequelize-typescript';
import { Activity } from './Activity';
import { ActivityResult } from './ActivityResult';
import { ActivityResultEvent } from './ActivityResultEvent';
import { ApiKey } from './ApiKey';
import { Commerce } from './Commerce';
import { FollowUp } from './FollowUp';
import { TaskResultType } from './TaskResultType';
import { Tenant } from './Tenant';
import { withDefaultUser } from './database-url';

export { Activity, ActivityResult, ActivityResultEvent, ApiKey, Commerce, FollowUp, TaskResultType, Tenant };

export interface DatabaseOptions {
  /** Pool size: a worker wants about one connection per job in flight. */
  readonly poolMax?: number;
  readonly logging?: (sql: string) => void;
  /** Fail a connection attempt after this long rather than waiting on a dead server. */
  readonly connectTimeoutMs?: number;
}

/**
 * pg whose clients pipeline: a query goes out at once instead of after the answer to the one before, so
 * a transaction's BEGIN travels with its first statement and its COMMIT with its last (sql.ts). Sequelize
 * awaits each of its own queries, so those run as before.
 */
const pipelinedPg: typeof pg = Object.create(pg, {
  Client: {
    value: class PipelinedClient extends pg.Client {
      constructor(config: ClientConfig) {
        super({ ...config, pipeline: true });
      }
    },
  },
});

/** Call once per process: the models bind to the instance made last. */
export function createSequelize(databaseUrl: string, options: DatabaseOptions = {}): Sequelize {
  return new Sequelize(withDefaultUser(databaseUrl), {
    dialect: 'postgres',
    dialectModule: pipelinedPg,
    logging: options.logging ?? false,
    models: [Tenant, ApiKey, Commerce, Activity, ActivityResult, ActivityResultEvent, TaskResultType, FollowUp],
    pool: { max: options.poolMax ?? 10, min: 0, idle: 10_000, acquire: 10_000 },
    dialectOptions: {
      connectionTimeoutMillis: options.connectTimeoutMs ?? 3_000,
      // A lock wait past this is a transient failure the job retries, not a hung worker.
      statement_timeout: 15_000,
      lock_timeout: 10_000,
      idle_in_transaction_session_timeout: 30_000,
      // Only the hot paths' named statements (sql.ts) are kept prepared. Left to choose, PostgreSQL plans
      // them again on every call: a plan for the parameters' actual values always looks cheaper than the
      // generic one (one key in an array parameter versus a guessed hundred), though it is the same
      // plan, and planning costs more than running them. A generic plan is made once per connection.
      options: '-c plan_cache_mode=force_generic_plan',
    },
  });
}
