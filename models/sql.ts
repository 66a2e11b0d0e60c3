// Fixed SQL through the process's Sequelize: `sequelize.query` with bind parameters ($1, $2, …), inside a
// Sequelize transaction or on whichever pooled connection is free. Rows come back as plain objects; no
// model instances are built. The worker's statements are set-based, so one statement serves a whole
// batch of events (docs/decisions/007-group-commit.md).
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';

export interface Sql {
  query<R extends object>(text: string, bind: readonly unknown[]): Promise<R[]>;
}

export interface SqlTransaction extends Sql {
  /** Runs after COMMIT succeeds (never after a rollback), not awaited; a hook's failure is its own to handle. */
  afterCommit(hook: () => unknown): void;
}

/** Statements on `transaction`, or each on whichever pooled connection is free. */
export function sqlOf(sequelize: Sequelize, transaction?: Transaction): Sql {
  return {
    query: <R extends object>(text: string, bind: readonly unknown[]) =>
      sequelize.query<R>(text, { bind: [...bind], transaction, type: QueryTypes.SELECT, raw: true }),
  };
}

/** One Sequelize transaction: COMMIT when `work` resolves, ROLLBACK when it throws. */
export async function inTransaction<T>(sequelize: Sequelize, work: (tx: SqlTransaction) => Promise<T>): Promise<T> {
  const hooks: Array<() => unknown> = [];
  const value = await sequelize.transaction((transaction) =>
    work({ ...sqlOf(sequelize, transaction), afterCommit: (hook) => hooks.push(hook) }),
  );
  // Run here rather than as Sequelize's afterCommit hooks, which COMMIT's caller would wait for.
  for (const hook of hooks) hook();
  return value;
}
