import { expect } from 'chai';
import { Redis } from 'ioredis';
import { waiterConnectionName } from '../../server/task-result-queue';
import { TcpProxy } from '../../harness/tcp-proxy';
import { count } from '../support/db';
import { REDIS_URL } from '../support/env';
import { createTenant, minutesAfter, seedEvent, type TestTenant } from '../support/fixtures';
import { postResult } from '../support/http';
import { capturingLogger } from '../support/logs';
import { startStack, type Stack } from '../support/stack';
import { waitFor } from '../support/wait';

const T0 = '2025-01-16T14:30:00.000Z';

/** The web's waiter connection as CLIENT LIST shows it: its id and whether a command blocks it. */
async function waiterClient(redis: Redis, prefix: string): Promise<{ id: string; blocked: boolean } | undefined> {
  const name = waiterConnectionName(prefix);
  const line = String(await redis.client('LIST'))
    .split('\n')
    .find((l) => l.includes(` name=${name} `));
  if (!line) return undefined;
  const field = (key: string) => new RegExp(`(?:^| )${key}=(\\S*)`).exec(line)?.[1] ?? '';
  return { id: field('id'), blocked: field('flags').includes('b') && field('cmd') === 'xread' };
}

describe('waiting for jobs', () => {
  let stack: Stack;
  let tenant: TestTenant;
  let redis: Redis;

  beforeEach(async () => {
    tenant = await createTenant();
    redis = new Redis(REDIS_URL);
  });

  afterEach(async () => {
    redis.disconnect();
    await stack?.close();
  });

  const reading = async () => (await waiterClient(redis, stack.prefix))?.blocked;

  it('reads the queue events only while a request waits, and reads them again for the next one', async () => {
    stack = await startStack({ workers: false });
    const waiting = postResult(stack.baseUrl, tenant, seedEvent());
    await waitFor('the waiter to read the queue events', reading);
    stack.startWorkers();
    expect((await waiting).status).to.equal(201);

    // Answered at once, these leave nobody waiting: the read stops at the next event.
    for (let i = 1; i <= 3; i++) {
      const reply = await postResult(stack.baseUrl, tenant, seedEvent({ occurred_at: minutesAfter(T0, i) }), { prefer: 'respond-async' });
      expect(reply.status).to.equal(202);
    }
    await waitFor('the waiter to stop reading', async () => (await reading()) === false);

    const next = await postResult(stack.baseUrl, tenant, seedEvent({ occurred_at: minutesAfter(T0, 4) }));
    expect(next.status).to.equal(200);
    expect(next.body.occurredAt).to.equal(minutesAfter(T0, 4));
    expect(await count('activity_result_events')).to.equal(5);
  });

  it('reads on from where it was after Redis comes back, and answers the request still waiting', async () => {
    const proxy = await new TcpProxy(6379).start();
    // The web reaches Redis through the proxy; the workers, started later, directly.
    const { logger, lines } = capturingLogger('warn');
    stack = await startStack({ workers: false, redisUrl: proxy.url('redis'), syncWaitMs: 10_000, logger });
    try {
      const waiting = postResult(stack.baseUrl, tenant, seedEvent());
      await waitFor('the waiter to read the queue events', reading);
      await proxy.stop();
      // The waiter's connection logs its first error when its reconnect is refused, and ioredis then fails
      // the read it holds (maxRetriesPerRequest: 1) rather than send it again once Redis is back.
      const failed = await waitFor('the cut read to fail', async () => lines.find((line) => line.connection === 'job-waiter'));
      expect(failed.err).to.include({ code: 'ECONNREFUSED' });
      await proxy.start();
      stack.startWorkers();
      const reply = await waiting;
      expect(reply.status).to.equal(201);
      expect(reply.body.resultStatus).to.equal('COMPLETED');
    } finally {
      await proxy.stop();
    }
  });
});
