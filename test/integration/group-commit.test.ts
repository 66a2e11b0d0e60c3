import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Client } from 'pg';
import { parseTaskResult } from '../../domain/schemas/task-result';
import { eventFingerprint } from '../../domain/task-result-event';
import { Activity, ActivityResult } from '../../models';
import { withDefaultUser } from '../../models/database-url';
import { ResultTypeDirectory } from '../../models/result-type-directory';
import { applyTaskResults, type PendingEvent, type Settled } from '../../workers/apply-task-results';
import { GroupCommit } from '../../workers/group-commit';
import { count, sequelize } from '../support/db';
import { TEST_DATABASE_URL } from '../support/env';
import { createTenant, minutesAfter, seedEvent, type TestTenant } from '../support/fixtures';
import { postResult, request } from '../support/http';
import { silentLogger, startStack, type Stack } from '../support/stack';
import { waitFor } from '../support/wait';

const T0 = '2025-01-16T14:30:00.000Z';

describe('group commit: a batch of events in one transaction', () => {
  let stack: Stack;
  let tenant: TestTenant;

  beforeEach(async () => {
    stack = await startStack({ workers: false });
    tenant = await createTenant();
  });
  afterEach(() => stack.close());

  const deps = () => {
    const timers = { schedule: async () => undefined, cancel: async () => undefined, missing: async () => [] };
    return { sequelize: sequelize(), resultTypes: new ResultTypeDirectory(), timers, logger: silentLogger };
  };

  /** A job's event as the API queues it. */
  function pending(body: Record<string, unknown>): PendingEvent {
    const receivedAt = new Date();
    const text = JSON.stringify(body);
    const event = parseTaskResult(JSON.parse(text), { now: receivedAt, maxClockSkewMs: 300_000 });
    const data = { tenantId: tenant.tenantId, fingerprint: eventFingerprint(event), body: text, receivedAt: receivedAt.toISOString() };
    return { jobId: `test-${randomUUID()}`, data, event };
  }

  async function newActivity(providerId: string): Promise<string> {
    const created = await request(stack.baseUrl, 'POST', '/api/activities/tasks', {
      tenant,
      body: { commerce_external_id: 'store-001', provider_activity_id: providerId },
    });
    expect(created.status).to.equal(201);
    return created.body.id;
  }

  const linked = (activityId: string, overrides: Record<string, unknown> = {}) =>
    seedEvent({ activity_id: activityId, provider_activity_id: undefined, status: 'PENDING', occurred_at: T0, ...overrides });
  const outcome = (s: Settled) => ('value' in s ? s.value.outcome : 'error' in s ? (s.error as { code?: string }).code : s.again);

  it('applies creates, updates, replays, stale and unknown targets of one batch, each on its own terms', async () => {
    const fresh = await newActivity('fresh');
    const updated = await newActivity('updated');
    const first = pending(linked(updated));
    expect((await applyTaskResults(deps(), [first])).map(outcome)).to.deep.equal(['created']);

    const batch = [
      pending(seedEvent({ provider_activity_id: 'standalone-new' })),
      pending(linked(fresh)),
      pending(linked(updated, { status: 'COMPLETED', occurred_at: minutesAfter(T0, 5) })),
      first,
      pending(linked(updated, { external_status: 'older', occurred_at: minutesAfter(T0, -5) })),
      pending(linked(randomUUID())),
      // The key's activity, named by its provider key: the same target as the event by id above.
      pending(seedEvent({ provider_activity_id: 'updated', status: 'COMPLETED', occurred_at: minutesAfter(T0, 9) })),
    ];
    const settled = await applyTaskResults(deps(), batch);
    expect(settled.map(outcome)).to.deep.equal(['created', 'created', 'updated', 'replayed', 'STALE_EVENT', 'ACTIVITY_NOT_FOUND', 'held']);

    expect(await count('activity_results')).to.equal(3);
    expect(await count('activity_result_events')).to.equal(4);
    expect(await count('commerces', 'is_placeholder')).to.equal(0);
    expect((await Activity.findByPk(fresh))!.status).to.equal('READY');
    expect((await Activity.findByPk(updated))!.status).to.equal('COMPLETED');
    const replayed = settled[3];
    expect('value' in replayed && replayed.value.result.id).to.equal(
      (await ActivityResult.findOne({ where: { activityId: updated } }))!.id,
    );

    // The held event goes into the next batch, judged against what this one left.
    expect((await applyTaskResults(deps(), [batch[6]])).map(outcome)).to.deep.equal(['updated']);
    expect((await ActivityResult.findOne({ where: { activityId: updated } }))!.occurredAt.toISOString()).to.equal(minutesAfter(T0, 9));
  });

  it('applies two events of one key in one batch oldest first, holding the newer one for the next batch', async () => {
    const newer = pending(seedEvent({ provider_activity_id: 'two', status: 'COMPLETED', occurred_at: minutesAfter(T0, 2) }));
    const older = pending(seedEvent({ provider_activity_id: 'two', status: 'PENDING', occurred_at: minutesAfter(T0, 1) }));
    expect((await applyTaskResults(deps(), [newer, older])).map(outcome)).to.deep.equal(['held', 'created']);
    expect((await applyTaskResults(deps(), [newer])).map(outcome)).to.deep.equal(['updated']);
    const [result] = await ActivityResult.findAll();
    expect(result.resultStatus).to.equal('COMPLETED');
    expect(await count('activity_result_events')).to.equal(2);
  });

  it('runs the events of a batch that lost a deadlock again one by one, oldest first, and applies them all', async () => {
    const ids = [await newActivity('d-1'), await newActivity('d-2')].sort();
    const other = new Client({ connectionString: withDefaultUser(TEST_DATABASE_URL) });
    await other.connect();
    try {
      // The other transaction detects deadlocks late, so the batch is the one PostgreSQL aborts.
      await other.query(`SET deadlock_timeout = '20s'`);
      await other.query('BEGIN');
      await other.query('SELECT 1 FROM activities WHERE id = $1 FOR UPDATE', [ids[1]]);
      const deadlocksBefore = await deadlocks(other);
      // The first activity's newer event comes first in the batch.
      const applying = applyTaskResults(deps(), [
        pending(linked(ids[0], { status: 'COMPLETED', occurred_at: minutesAfter(T0, 1) })),
        pending(linked(ids[0])),
        pending(linked(ids[1])),
      ]);
      // The batch holds the first activity and waits for the second; the other transaction now wants the first.
      const blocked = `SELECT 1 FROM pg_stat_activity WHERE pg_backend_pid() = ANY (pg_blocking_pids(pid))`;
      await waitFor('the batch to wait on the lock', async () => (await other.query(blocked)).rowCount);
      await other.query('SELECT 1 FROM activities WHERE id = $1 FOR UPDATE', [ids[0]]);
      await other.query('COMMIT');
      expect((await applying).map(outcome)).to.deep.equal(['updated', 'created', 'created']);
      // A backend reports its statistics when it next goes idle, within seconds.
      await waitFor('PostgreSQL to count the deadlock', async () => (await deadlocks(other)) > deadlocksBefore, 15_000);
    } finally {
      await other.end();
    }
    expect(await count('activity_result_events')).to.equal(3);
    expect((await Activity.findByPk(ids[0]))!.status).to.equal('COMPLETED');
  });

  it("commits a target's events in queue order: a newer event waits while a batch in flight holds its target, others do not", async () => {
    // The first batch locks `blocker` first (ids in order), and waits there before it reaches `target`.
    const [blocker, target] = [await newActivity('o-1'), await newActivity('o-2')].sort();
    const elsewhere = await newActivity('o-3');
    const batches: string[][] = [];
    const group = new GroupCommit((batch) => {
      batches.push(batch.map((p) => String(p.event.external_status)));
      return applyTaskResults(deps(), batch);
    }, 4);
    const other = new Client({ connectionString: withDefaultUser(TEST_DATABASE_URL) });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT 1 FROM activities WHERE id = $1 FOR UPDATE', [blocker]);
      const older = group.apply(pending(linked(target, { external_status: 'older' })));
      const first = group.apply(pending(linked(blocker, { external_status: 'blocker' })));
      const blocked = `SELECT 1 FROM pg_stat_activity WHERE pg_backend_pid() = ANY (pg_blocking_pids(pid))`;
      await waitFor('the first batch to wait on the lock', async () => (await other.query(blocked)).rowCount);

      const newer = group.apply(pending(linked(target, { external_status: 'newer', occurred_at: minutesAfter(T0, 1) })));
      const free = group.apply(pending(linked(elsewhere, { external_status: 'elsewhere' })));
      expect((await free).outcome, 'an event for another target is applied meanwhile').to.equal('created');
      expect(batches).to.deep.equal([['older', 'blocker'], ['elsewhere']]);

      await other.query('COMMIT');
      expect((await Promise.all([older, first, newer])).map((r) => r.outcome)).to.deep.equal(['created', 'created', 'updated']);
      expect(batches).to.deep.equal([['older', 'blocker'], ['elsewhere'], ['newer']]);
    } finally {
      await other.end();
    }
    expect((await ActivityResult.findOne({ where: { activityId: target } }))!.externalStatus).to.equal('newer');
    expect(await count('activity_result_events')).to.equal(4);
  });

  it('applies a queue filled while no worker ran, newest event winning per key, every event applied or refused as stale', async () => {
    const activities = [await newActivity('q-1'), await newActivity('q-2')];
    const bodies = [];
    for (let minute = 0; minute < 6; minute++) {
      for (const key of ['q-a', 'q-b', 'q-c'])
        bodies.push(seedEvent({ provider_activity_id: key, occurred_at: minutesAfter(T0, minute), external_status: `m${minute}` }));
      for (const id of activities) bodies.push(linked(id, { occurred_at: minutesAfter(T0, minute), external_status: `m${minute}` }));
    }
    bodies.reverse(); // newest first: the worst order for a queue
    for (const body of bodies) expect((await postResult(stack.baseUrl, tenant, body, { prefer: 'respond-async' })).status).to.equal(202);

    stack.startWorkers();
    const queue = stack.web.taskResults.queue;
    await waitFor(
      'the queue to drain',
      async () => {
        const counts = await queue.getJobCounts();
        return counts.completed + counts.failed === bodies.length;
      },
      20_000,
    );
    const results = await ActivityResult.findAll();
    expect(results).to.have.length(5);
    for (const result of results) expect(result.externalStatus).to.equal('m5');
    const failed = await queue.getFailed();
    for (const job of failed) expect(job.failedReason).to.match(/^STALE_EVENT/);
    expect(await count('activity_result_events')).to.equal(bodies.length - failed.length);
  });
});

async function deadlocks(client: Client): Promise<number> {
  const { rows } = await client.query('SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()');
  return Number(rows[0].deadlocks);
}
