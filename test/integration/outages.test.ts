// A worker process cut off from PostgreSQL or Redis for longer than a moment: what it was given must be
// applied once the dependency is back, without a provider sending anything again.
import { expect } from 'chai';
import { withDefaultUser } from '../../models/database-url';
import type { Child } from '../../harness/processes';
import { TcpProxy } from '../../harness/tcp-proxy';
import { count } from '../support/db';
import { REDIS_URL, TEST_DATABASE_URL } from '../support/env';
import { createTenant, minutesAfter, seedEvent, type TestTenant } from '../support/fixtures';
import { postResult, request } from '../support/http';
import { spawnEntry } from '../support/processes';
import { startStack, uniquePrefix, type Stack } from '../support/stack';
import { waitFor } from '../support/wait';

const EVENT_TIME = '2025-01-16T14:30:00Z';

describe('outages of a worker process', function () {
  this.timeout(60_000);
  let tenant: TestTenant;
  let stack: Stack | undefined;
  let worker: Child | undefined;
  let proxy: TcpProxy | undefined;

  beforeEach(async () => {
    tenant = await createTenant();
  });
  afterEach(async () => {
    await worker?.stop();
    await proxy?.stop();
    await stack?.close();
    [worker, proxy, stack] = [undefined, undefined, undefined];
  });

  const startWorker = (prefix: string, env: { DATABASE_URL?: string; REDIS_URL?: string }) => {
    worker = spawnEntry('workers/index.js', {
      DATABASE_URL: withDefaultUser(TEST_DATABASE_URL),
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      WORKER_CONCURRENCY: '4',
      ...env,
    });
    return worker.waitForLine(/worker started/);
  };

  const finalStates = (statusUrls: string[]) =>
    waitFor(
      'the jobs to finish',
      async () => {
        const states = await Promise.all(statusUrls.map(async (url) => (await request(stack!.baseUrl, 'GET', url, { tenant })).body.state));
        return states.every((s) => s === 'COMPLETED' || s === 'FAILED') && states;
      },
      20_000,
    );

  it('keeps the attempts of jobs that wait out a database outage longer than their whole backoff', async () => {
    proxy = await new TcpProxy(5432).start();
    // The web reaches PostgreSQL directly and gives its jobs a 50 ms backoff: eight attempts are spent
    // within about 6 s of failing ones.
    const prefix = uniquePrefix();
    stack = await startStack({ workers: false, prefix });
    await startWorker(prefix, { DATABASE_URL: withDefaultUser(proxy.url('postgres', new URL(TEST_DATABASE_URL).pathname)) });

    await proxy.stop();
    const replies = await Promise.all(
      [0, 1, 2].map((i) =>
        postResult(stack!.baseUrl, tenant, seedEvent({ provider_activity_id: `ext-${i}` }), { prefer: 'respond-async' }),
      ),
    );
    expect(replies.map((r) => r.status)).to.deep.equal([202, 202, 202]);
    // Each job is put back with its attempts intact, the worker waits, and tries it again: twice round
    // is past the whole backoff, which would have spent all eight attempts.
    await waitFor(
      'every job put back twice',
      async () => worker!.lines.filter((l) => /job put back, attempts kept/.test(l)).length >= 6,
      30_000,
    );
    await proxy.start();

    expect(await finalStates(replies.map((r) => r.body.statusUrl))).to.deep.equal(['COMPLETED', 'COMPLETED', 'COMPLETED']);
    expect(await count('activity_result_events')).to.equal(3);
  });

  it('picks up work again once Redis is back', async () => {
    proxy = await new TcpProxy(6379).start();
    const prefix = uniquePrefix();
    stack = await startStack({ workers: false, prefix });
    await startWorker(prefix, { REDIS_URL: proxy.url('redis') });
    expect((await postResult(stack.baseUrl, tenant, seedEvent())).status).to.equal(201);

    await proxy.stop();
    const during = await postResult(stack.baseUrl, tenant, seedEvent({ occurred_at: minutesAfter(EVENT_TIME, 1) }), {
      prefer: 'respond-async',
    });
    expect(during.status).to.equal(202);
    await waitFor('the worker to lose Redis', async () => worker!.lines.some((l) => /worker error/.test(l)), 20_000);
    await proxy.start();

    expect(await finalStates([during.body.statusUrl])).to.deep.equal(['COMPLETED']);
    const after = await postResult(stack.baseUrl, tenant, seedEvent({ occurred_at: minutesAfter(EVENT_TIME, 2) }));
    expect(after.status).to.equal(200);
    expect(await count('activity_result_events')).to.equal(3);
  });
});
