import { expect } from 'chai';
import { ConnectionRefusedError, DatabaseError, UniqueConstraintError, ValidationError } from 'sequelize';
import { DomainError } from '../../domain/errors';
import { TargetBusy } from '../../workers/group-commit';
import { classify } from '../../workers/classify';
import { isDatabaseUnavailable, sqlStateOf } from '../../models/database-errors';

function pgError(code: string): DatabaseError {
  return new DatabaseError(Object.assign(new Error(`pg ${code}`), { code, sql: 'SELECT 1', parameters: [] }) as never);
}

describe('error classification', () => {
  it('fails domain errors at once, keeping their code', () => {
    const verdict = classify(new DomainError('STALE_EVENT', 'old'));
    expect(verdict.retry).to.equal(false);
    expect(verdict.retry === false && verdict.error.code).to.equal('STALE_EVENT');
  });

  it('retries lost connections, deadlocks, serialization failures, lock timeouts and unique-key races', () => {
    expect(classify(new ConnectionRefusedError(new Error('refused'))).retry).to.equal(true);
    for (const code of ['40P01', '40001', '55P03', '57P01', '57014', '08006', '53300']) {
      expect(classify(pgError(code)), code).to.deep.include({ retry: true });
    }
    expect(classify(new UniqueConstraintError({ message: 'duplicate key' })).retry).to.equal(true);
  });

  it('retries a unique-key race, an unknown database error and a key whose first events keep colliding', () => {
    expect(classify(pgError('23505'))).to.deep.include({ retry: true, code: 'CONCURRENT_INSERT' });
    expect(classify(pgError('42P01'))).to.deep.include({ retry: true, code: 'DATABASE_ERROR' });
    expect(classify(new TargetBusy())).to.deep.include({ retry: true, code: 'TARGET_BUSY' });
  });

  it('fails a data exception (SQLSTATE class 22) at once with its own code', () => {
    for (const error of [pgError('22008'), pgError('22003')]) {
      const verdict = classify(error);
      expect(verdict.retry).to.equal(false);
      expect(verdict.retry === false && verdict.error.code).to.equal('UNSTORABLE_EVENT');
    }
  });

  it('tells a database that cannot be reached from an attempt that failed', () => {
    expect(classify(new ConnectionRefusedError(new Error('refused')))).to.deep.include({ retry: true, waitForDatabase: true });
    // A connection lost in the middle of an attempt is that attempt's failure: it is spent.
    expect(classify(pgError('57P01'))).to.not.have.property('waitForDatabase');
  });

  it('takes a socket error under a statement (ECONNRESET) for a lost connection, not for a SQLSTATE', () => {
    const reset = pgError('ECONNRESET');
    expect(sqlStateOf(reset)).to.equal(undefined);
    expect(isDatabaseUnavailable(reset)).to.equal(true);
    expect(classify(reset)).to.deep.include({ retry: true });
    expect(isDatabaseUnavailable(pgError('23505'))).to.equal(false);
    expect(isDatabaseUnavailable(pgError('08006'))).to.equal(true);
  });

  it('never looks at the message text', () => {
    const disguised = new DomainError('VALIDATION_FAILED', 'deadlock detected; connection refused');
    expect(classify(disguised).retry).to.equal(false);
    expect(classify(new ValidationError('STALE_EVENT: not a domain error', [])).retry).to.equal(true);
  });
});
