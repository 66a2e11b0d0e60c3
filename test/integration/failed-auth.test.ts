import { expect } from 'chai';
import { randomBytes, randomUUID } from 'node:crypto';
import { workerConnection } from '../../workers/redis';
import { basicAuthHeader, startBoardStack } from '../support/board';
import { sequelize } from '../support/db';
import { REDIS_URL, TEST_DATABASE_URL } from '../support/env';
import { createTenant, type TestTenant } from '../support/fixtures';
import { request } from '../support/http';
import { spawnEntry } from '../support/processes';
import { uniquePrefix, type Stack } from '../support/stack';
import { waitFor } from '../support/wait';

const BOARD = '/admin/queues/api/queues';

/** Counts the API-key lookups the web sends to PostgreSQL (the web shares the test's Sequelize). */
function countKeyLookups(): { readonly count: number; stop(): void } {
  const counter = { count: 0, stop: () => sequelize().removeHook('afterQuery', 'count-key-lookups') };
  sequelize().addHook('afterQuery', 'count-key-lookups', (_options, query) => {
    if (/^SELECT .* FROM "api_keys"/s.test((query as unknown as { sql?: string }).sql ?? '')) counter.count++;
  });
  return counter;
}

async function failureCounters(prefix: string): Promise<Record<string, string | null>> {
  const redis = workerConnection(REDIS_URL);
  try {
    const keys = await redis.keys(`${prefix}:auth-failures:*`);
    return Object.fromEntries(await Promise.all(keys.map(async (k) => [k.slice(prefix.length), await redis.get(k)] as const)));
  } finally {
    redis.disconnect();
  }
}

describe('failed authentications', () => {
  let stack: Stack;
  let tenant: TestTenant;
  let lookups: ReturnType<typeof countKeyLookups>;

  beforeEach(async () => {
    stack = await startBoardStack({ SYNC_WAIT_MS: '0' });
    tenant = await createTenant();
    lookups = countKeyLookups();
  });
  afterEach(async () => {
    lookups.stop();
    await stack.close();
  });

  const withKey = (key: string) =>
    request(stack.baseUrl, 'GET', `/api/activity-results/${randomUUID()}`, { headers: { 'x-api-key': key } });
  const randomKey = () => `ark_${randomBytes(16).toString('hex')}`;
  const board = (authorization: string) => request(stack.baseUrl, 'GET', BOARD, { headers: { authorization } });

  async function failOneHundredTimes(): Promise<void> {
    for (let i = 0; i < 100; i++) expect((await withKey(randomKey())).status).to.equal(401);
  }

  it('after 100 failed keys a minute from one address, answers its unknown keys 429 without a lookup; a valid key still works', async () => {
    expect((await withKey(tenant.key)).status).to.equal(404); // known to this process from now on
    await failOneHundredTimes();
    expect(lookups.count).to.equal(101);

    for (let i = 0; i < 20; i++) {
      const refused = await withKey(randomKey());
      expect(refused.status).to.equal(429);
      expect(refused.body).to.include({ statusCode: 429, error: 'Too Many Requests', code: 'RATE_LIMITED' });
      expect(Number(refused.headers.get('retry-after'))).to.be.within(1, 60);
    }
    expect(lookups.count, 'refused keys are not looked up').to.equal(101);

    const valid = await withKey(tenant.key);
    expect(valid.status).to.equal(404);
    expect(valid.headers.get('ratelimit-limit')).to.equal('200');
    // One counter per address, in Redis under the queue prefix, so every web process sees it.
    expect(Object.values(await failureCounters(stack.prefix))).to.deep.equal(['100']);
  });

  it('answers an unknown key from memory for a moment, then looks it up again', async () => {
    const key = randomKey();
    for (let i = 0; i < 5; i++) expect((await withKey(key)).status).to.equal(401);
    expect(lookups.count).to.equal(1);
    await waitFor('the unknown key to be looked up again', async () => (await withKey(key)).status === 401 && lookups.count === 2, 5_000);
  });

  it('refuses board logins with a wrong password 429 after 100 a minute from an address; the right one still works', async () => {
    for (let i = 0; i < 100; i++) expect((await board(basicAuthHeader('ops', `guess-${i}`))).status).to.equal(401);
    const refused = await board(basicAuthHeader('ops', 'guess-100'));
    expect(refused.status).to.equal(429);
    expect(refused.body.code).to.equal('RATE_LIMITED');
    expect(Number(refused.headers.get('retry-after'))).to.be.within(1, 60);
    expect((await board(basicAuthHeader())).status).to.equal(200);
    // A request without credentials (a browser's first) is not a guess.
    expect((await request(stack.baseUrl, 'GET', BOARD)).status).to.equal(401);
    // Board guesses and key guesses are one count: the address's unknown keys are refused too.
    expect((await withKey(randomKey())).status).to.equal(429);
    expect(lookups.count).to.equal(0);
  });

  it('does not start the web with a board password shorter than 12 characters, naming the variable', async () => {
    const web = spawnEntry('server/index.js', {
      DATABASE_URL: TEST_DATABASE_URL,
      REDIS_URL,
      QUEUE_PREFIX: uniquePrefix(),
      PORT: '0',
      BULL_BOARD_USER: 'ops',
      BULL_BOARD_PASSWORD: 'hunter2hunt',
    });
    expect((await web.exited()).code).to.equal(78);
    expect(web.lines).to.deep.equal(['invalid configuration: BULL_BOARD_PASSWORD: length must be at least 12 characters long']);
  });
});
