// The hot paths (the HTTP fast checks, the worker applying an event) run fixed SQL on a plain pg client
// taken from the process's Sequelize pool: same connections, same timeouts, no second pool. Each
// statement is named, so PostgreSQL parses and plans it once per connection rather than on every call,
// and rows come back as plain objects, with no model instances built.
import { DatabaseError as PgDatabaseError, type Client, type ClientBase, type QueryResultRow } from 'pg';
import type { Sequelize } from 'sequelize';

export interface Statement {
  /** Unique per statement text: pg prepares a name once per connection. */
  readonly name: string;
  readonly text: string;
}

export interface Sql {
  query<R extends QueryResultRow>(statement: Statement, values: readonly unknown[]): Promise<R[]>;
}

export interface SqlTransaction extends Sql {
  /** Runs after COMMIT succeeds (never after a rollback); a hook's failure is its own to handle. */
  afterCommit(hook: () => unknown): void;
  /** The transaction's last statement, sent together with COMMIT: its rows once both succeeded. */
  queryAndCommit<R extends QueryResultRow>(statement: Statement, values: readonly unknown[]): Promise<R[]>;
}

/** The connection failed under a statement (it was closed, reset, or timed out): no SQLSTATE to go by. */
export class ConnectionLost extends Error {
  constructor(cause: unknown) {
    super(`database connection lost: ${(cause as Error)?.message ?? cause}`, { cause });
    this.name = 'ConnectionLost';
  }
}

export { PgDatabaseError };

/** Sends one statement; a failure without a SQLSTATE is the connection's. */
async function send<R extends QueryResultRow>(client: ClientBase, query: string | { name: string; text: string; values: unknown[] }): Promise<R[]> {
  try {
    return (await client.query<R>(query as string)).rows;
  } catch (error) {
    throw error instanceof PgDatabaseError ? error : new ConnectionLost(error);
  }
}

function sqlOn(client: ClientBase): Sql {
  return {
    query: <R extends QueryResultRow>(statement: Statement, values: readonly unknown[]) =>
      send<R>(client, { name: statement.name, text: statement.text, values: values as unknown[] }),
  };
}

async function acquire(sequelize: Sequelize): Promise<Client> {
  // Sequelize's postgres connections are pg clients; a failure here is a Sequelize ConnectionError.
  return (await sequelize.connectionManager.getConnection({ type: 'write' })) as Client;
}

/** One or more statements outside a transaction, on one pooled connection. */
async function withSql<T>(sequelize: Sequelize, work: (sql: Sql) => Promise<T>): Promise<T> {
  const client = await acquire(sequelize);
  try {
    return await work(sqlOn(client));
  } finally {
    sequelize.connectionManager.releaseConnection(client);
  }
}

/** Statements outside any transaction, each on whichever pooled connection is free. */
export function pooledSql(sequelize: Sequelize): Sql {
  return { query: (statement, values) => withSql(sequelize, (sql) => sql.query(statement, values)) };
}

/**
 * BEGIN, the work, COMMIT; ROLLBACK on any error. A connection that cannot even roll back is dropped.
 * The connections pipeline (see models/index.ts): BEGIN is written together with the work's first
 * statement, and `queryAndCommit` writes the last one together with COMMIT, so a short transaction costs
 * two round trips, and each wakes the server once.
 */
export async function inTransaction<T>(sequelize: Sequelize, work: (tx: SqlTransaction) => Promise<T>): Promise<T> {
  const client = await acquire(sequelize);
  const hooks: Array<() => unknown> = [];
  let healthy = true;
  let begun: Promise<unknown> | undefined;
  let committed: Promise<unknown> | undefined;
  const sql = sqlOn(client);
  // Messages written while the socket is corked leave in one write when it is uncorked. Every statement
  // that follows waits for BEGIN before its rows are used, so none is acted on unless the transaction began.
  const sendCorked = <R extends QueryResultRow>(statement: Statement, values: readonly unknown[], commit: boolean) => {
    const socket = client.connection.stream;
    socket.cork();
    try {
      begun ??= settledLater(send(client, 'BEGIN'));
      const rows = settledLater(sql.query<R>(statement, values));
      // After a failed statement PostgreSQL answers COMMIT by rolling back: the statement's error is
      // the one that counts.
      if (commit) committed = settledLater(send(client, 'COMMIT'));
      return rows;
    } finally {
      socket.uncork();
    }
  };
  const after = async <R>(rows: Promise<R[]>) => {
    await begun;
    return rows;
  };
  const tx: SqlTransaction = {
    query: <R extends QueryResultRow>(statement: Statement, values: readonly unknown[]) => after(sendCorked<R>(statement, values, false)),
    afterCommit: (hook) => hooks.push(hook),
    async queryAndCommit<R extends QueryResultRow>(statement: Statement, values: readonly unknown[]) {
      const result = await after(sendCorked<R>(statement, values, true));
      await committed;
      return result;
    },
  };
  try {
    const value = await work(tx);
    if (begun) await (committed ?? send(client, 'COMMIT'));
    hooks.forEach((hook) => hook());
    return value;
  } catch (error) {
    if (begun) await send(client, 'ROLLBACK').catch(() => (healthy = false));
    throw error;
  } finally {
    if (healthy) sequelize.connectionManager.releaseConnection(client);
    else await sequelize.connectionManager.destroyConnection(client).catch(() => undefined);
  }
}

/** A promise awaited only later, maybe after another has failed: its rejection is not unhandled meanwhile. */
function settledLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
