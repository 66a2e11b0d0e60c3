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

/** Call once per process: the models bind to the instance made last. */
export function createSequelize(databaseUrl: string, options: DatabaseOptions = {}): Sequelize {
  return new Sequelize(withDefaultUser(databaseUrl), {
    dialect: 'postgres',
    logging: options.logging ?? false,
    models: [Tenant, ApiKey, Commerce, Activity, ActivityResult, ActivityResultEvent, TaskResultType, FollowUp],
    pool: { max: options.poolMax ?? 10, min: 0, idle: 10_000, acquire: 10_000 },
    dialectOptions: {
      connectionTimeoutMillis: options.connectTimeoutMs ?? 3_000,
      // A lock wait past this is a transient failure the job retries, not a hung worker.
      statement_timeout: 15_000,
      lock_timeout: 10_000,
      idle_in_transaction_session_timeout: 30_000,
    },
  });
}
