import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { DatabaseError } from 'sequelize';
import { sqlStateOf } from '../../models/database-errors';
import { inTransaction } from '../../models/sql';
import { count, sequelize } from '../support/db';

const INSERT_TENANT = 'INSERT INTO tenants (id, name) VALUES ($1, $2) RETURNING name';
const FAIL = 'SELECT 1 / 0 AS never';

describe('transactions (models/sql.ts)', () => {
  it('commits, answers the rows, and runs the after-commit hooks only once committed', async () => {
    const hooks: string[] = [];
    const rows = await inTransaction(sequelize(), async (tx) => {
      await tx.query(INSERT_TENANT, [randomUUID(), 'first']);
      tx.afterCommit(() => hooks.push('committed'));
      const last = await tx.query<{ name: string }>(INSERT_TENANT, [randomUUID(), 'last']);
      expect(hooks).to.deep.equal([]);
      return last;
    });
    expect(rows).to.deep.equal([{ name: 'last' }]);
    expect(hooks).to.deep.equal(['committed']);
    expect(await count('tenants')).to.equal(2);
  });

  it('keeps nothing and runs no hook when a statement fails, and reports its SQLSTATE', async () => {
    const hooks: string[] = [];
    const error = await inTransaction(sequelize(), async (tx) => {
      await tx.query(INSERT_TENANT, [randomUUID(), 'first']);
      tx.afterCommit(() => hooks.push('committed'));
      return tx.query(FAIL, []);
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(DatabaseError);
    expect(sqlStateOf(error)).to.equal('22012');
    expect(hooks).to.deep.equal([]);
    expect(await count('tenants')).to.equal(0);
  });

  it('leaves the pool serving after failed transactions', async () => {
    for (let i = 0; i < 25; i++) await inTransaction(sequelize(), (tx) => tx.query(FAIL, [])).catch(() => undefined);
    for (let i = 0; i < 25; i++) await inTransaction(sequelize(), (tx) => tx.query(INSERT_TENANT, [randomUUID(), `t${i}`]));
    expect(await count('tenants')).to.equal(25);
  });
});
