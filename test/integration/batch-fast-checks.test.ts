// A batch's fast checks cost two statements whatever its size: every target at once, then the history
// of the events that look stale. Counted on the pooled connections' statements.
import { expect } from 'chai';
import type { Client } from 'pg';
import { eventFingerprint } from '../../domain/task-result-event';
import { parseTaskResult } from '../../domain/schemas/task-result';
import { FastChecks } from '../../server/fast-checks';
import { sequelize } from '../support/db';
import { createTenant, minutesAfter, seedEvent } from '../support/fixtures';
import { postResult } from '../support/http';
import { startStack } from '../support/stack';

const T0 = '2025-01-16T14:30:00.000Z';

/** Runs `work` counting the statements sent on connections taken from the test's Sequelize pool. */
async function countingStatements<T>(work: () => Promise<T>): Promise<{ value: T; statements: number }> {
  const manager = sequelize().connectionManager;
  const getConnection = manager.getConnection.bind(manager);
  let statements = 0;
  const patched = new WeakSet<object>();
  manager.getConnection = (async (options: Parameters<typeof getConnection>[0]) => {
    const client = (await getConnection(options)) as Client;
    if (!patched.has(client)) {
      patched.add(client);
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: unknown }).query = (...args: unknown[]) => {
        statements++;
        return query(...args);
      };
    }
    return client;
  }) as typeof manager.getConnection;
  try {
    return { value: await work(), statements };
  } finally {
    manager.getConnection = getConnection;
  }
}

describe("a batch's fast checks", () => {
  it('checks 1,000 events, replays and stale ones among them, in two statements', async () => {
    const stack = await startStack();
    try {
      const tenant = await createTenant();
      const applied = seedEvent({ provider_activity_id: 'known', status: 'PENDING' });
      expect((await postResult(stack.baseUrl, tenant, applied)).status).to.equal(201);
      const rules = { now: new Date(), maxClockSkewMs: 300_000 };
      const bodies = Array.from({ length: 1000 }, (_, i) =>
        i % 3 === 0
          ? applied
          : i % 3 === 1
            ? seedEvent({ provider_activity_id: 'known', status: 'PENDING', occurred_at: minutesAfter(T0, -i) })
            : seedEvent({ provider_activity_id: `new-${i}` }),
      );
      const entries = bodies.map((body) => {
        const event = parseTaskResult(body, rules);
        return { event, fingerprint: eventFingerprint(event) };
      });
      const checks = new FastChecks(sequelize());
      const { value, statements } = await countingStatements(() => checks.checkMany(tenant.tenantId, entries));
      expect(statements).to.equal(2);
      expect(value.skipped).to.equal(undefined);
      expect(value.checks.map((c) => (c.kind === 'refused' ? c.error.code : c.kind)).slice(0, 3)).to.deep.equal([
        'replay',
        'STALE_EVENT',
        'enqueue',
      ]);
    } finally {
      await stack.close();
    }
  });
});
