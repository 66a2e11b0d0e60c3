import { expect } from 'chai';
import { ConnectionError } from 'sequelize';
import { ApiKeyDirectory, KEY_STALE_MS, UNKNOWN_FOR_MS, type KnownKey } from '../../server/api-key-directory';

const VALID = 'a'.repeat(64);
const KEY: KnownKey = {
  id: 'k1',
  tenantId: 't1',
  permissions: ['CREATE_ACTIVITY'],
  expiresAt: null,
  revokedAt: null,
  tenantActive: true,
  tenantRateLimit: null,
};

/** A directory over a fake key table and a clock the test moves. */
function directory() {
  const state = { now: 0, lookups: [] as string[], databaseDown: false };
  const keys = new ApiKeyDirectory({
    now: () => state.now,
    lookup: async (hash) => {
      state.lookups.push(hash);
      if (state.databaseDown) throw new ConnectionError(new Error('connection refused'));
      return hash === VALID ? KEY : null;
    },
  });
  return { keys, state };
}

describe('API key directory', () => {
  it('serves a key it cannot refresh for 5 minutes at most while the database is down', async () => {
    const { keys, state } = directory();
    expect(await keys.find(VALID)).to.equal(KEY);
    state.databaseDown = true;
    state.now = KEY_STALE_MS - 1_000;
    expect(await keys.find(VALID)).to.equal(KEY);
    expect(KEY_STALE_MS).to.equal(5 * 60_000);
    state.now = KEY_STALE_MS + 1;
    let failure: unknown;
    await keys.find(VALID).catch((error) => (failure = error));
    expect(failure).to.be.instanceOf(ConnectionError);
  });

  it('keeps unknown keys apart: 20,000 random ones do not push a real key out', async () => {
    const { keys, state } = directory();
    await keys.find(VALID);
    for (let i = 0; i < 20_000; i++) expect(await keys.find(i.toString(16).padStart(64, '0'))).to.equal(null);
    state.now = 1_000;
    expect(keys.cached(VALID)).to.equal(KEY);
    state.lookups.length = 0;
    expect(await keys.find(VALID)).to.equal(KEY);
    expect(state.lookups).to.deep.equal([]);
  });

  it('answers an unknown key from memory for a few seconds, then looks it up again', async () => {
    const { keys, state } = directory();
    const unknown = 'b'.repeat(64);
    for (let i = 0; i < 3; i++) expect(await keys.find(unknown)).to.equal(null);
    expect(state.lookups).to.deep.equal([unknown]);
    expect(keys.cached(unknown)).to.equal(undefined);
    state.now = UNKNOWN_FOR_MS;
    await keys.find(unknown);
    expect(state.lookups).to.deep.equal([unknown, unknown]);
  });
});
