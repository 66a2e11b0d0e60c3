import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { inTransaction, PgDatabaseError } from '../../models/sql';
import { count, sequelize } from '../support/db';

// The connections pipeline: BEGIN travels with a transaction's first statement, COMMIT with its last.
const INSERT_TENANT = { name: 'test-insert-tenant', text: 'INSERT INTO tenants (id, name) VALUES ($1, $2) RETURNING name' };
const FAIL = { name: 'test-fail', text: 'SELECT 1 / 0 AS never' };

describe('transactions on pipelined connections', () => {
  it('commits with the last statement and runs the after-commit hooks once committed', async () => {
    const hooks: string[] = [];
    const rows = await inTransaction(sequelize(), async (tx) => {
      await tx.query(INSERT_TENANT, [randomUUID(), 'first']);
      tx.afterCommit(() => hooks.push('committed'));
      expect(hooks).to.deep.equal([]);
      return tx.queryAndCommit<{ name: string }>(INSERT_TENANT, [randomUUID(), 'last']);
    });
    expect(rows).to.deep.equal([{ name: 'last' }]);
    expect(hooks).to.deep.equal(['committed']);
    expect(await count('tenants')).to.equal(2);
  });

  it('keeps nothing when the statement sent with COMMIT fails, and reports its error', async () => {
    const hooks: string[] = [];
    const failing = inTransaction(sequelize(), async (tx) => {
      await tx.query(INSERT_TENANT, [randomUUID(), 'first']);
      tx.afterCommit(() => hooks.push('committed'));
      return tx.queryAndCommit(FAIL, []);
    });
    const error = await failing.then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(PgDatabaseError).with.property('code', '22012');
    expect(hooks).to.deep.equal([]);
    expect(await count('tenants')).to.equal(0);
  });

  it('rolls back when the first statement, sent with BEGIN, fails, and the connection serves the next one', async () => {
    const error = await inTransaction(sequelize(), (tx) => tx.query(FAIL, [])).then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(PgDatabaseError).with.property('code', '22012');
    for (let i = 0; i < 25; i++) await inTransaction(sequelize(), (tx) => tx.query(INSERT_TENANT, [randomUUID(), `t${i}`]));
    expect(await count('tenants')).to.equal(25);
  });
});
