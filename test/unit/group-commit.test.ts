// How the group commit forms batches. The batch function is the test's, answering each batch by hand;
// test/integration/group-commit.test.ts runs the real one on PostgreSQL.
import { expect } from 'chai';
import type { PendingEvent, Settled } from '../../workers/apply-task-results';
import { GroupCommit, TargetBusy } from '../../workers/group-commit';

/** An event named by its label, for an activity id and/or a provider key. */
function event(label: string, target: { activity?: string; key?: string }): PendingEvent {
  return {
    jobId: label,
    data: { tenantId: 'tenant' },
    event: { activity_id: target.activity, provider_activity_id: target.key },
  } as unknown as PendingEvent;
}

const created = (): Settled => ({ value: { outcome: 'created', result: {} } }) as unknown as Settled;

/** A batch function answering each batch with the function the test gives for it, once released. */
function controlled() {
  const batches: string[][] = [];
  const releases: Array<(answer: (p: PendingEvent) => Settled) => void> = [];
  const apply = (batch: readonly PendingEvent[]) => {
    batches.push(batch.map((p) => p.jobId!));
    return new Promise<Settled[]>((resolve) => releases.push((answer) => resolve(batch.map(answer))));
  };
  return { batches, apply, release: (answer: (p: PendingEvent) => Settled = created) => releases.shift()!(answer) };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  it('puts an event held by its batch back ahead of the events that queued meanwhile for its target', async () => {
    const { batches, apply, release } = controlled();
    const group = new GroupCommit(apply, 8);
    const outcomes = ['k1', 'k2'].map((label) => group.apply(event(label, { key: 'k' })));
    await turn();
    outcomes.push(group.apply(event('k3', { key: 'k' })), group.apply(event('other', { key: 'o' })));
    await turn();
    expect(batches, 'k3 waits for the batch holding k; other does not').to.deep.equal([['k1', 'k2'], ['other']]);
    release((p) => (p.jobId === 'k2' ? { again: 'held' } : created()));
    await turn();
    expect(batches.slice(2)).to.deep.equal([['k2', 'k3']]);
    release();
    release();
    expect((await Promise.all(outcomes)).map((r) => r.outcome)).to.deep.equal(['created', 'created', 'created', 'created']);
  });

  it('holds an event naming a target by activity id and provider key while either is in flight', async () => {
    const { batches, apply, release } = controlled();
    const group = new GroupCommit(apply, 8);
    void group.apply(event('by-key', { key: 'k' }));
    await turn();
    void group.apply(event('by-both', { activity: 'a', key: 'k' }));
    void group.apply(event('by-id', { activity: 'a' }));
    await turn();
    expect(batches, 'by-id waits behind by-both').to.deep.equal([['by-key']]);
    release();
    await turn();
    expect(batches).to.deep.equal([['by-key'], ['by-both', 'by-id']]);
  });

  it('keeps each batch within a third of the jobs in flight, two batches at once', async () => {
    const { batches, apply, release } = controlled();
    const group = new GroupCommit(apply, 6);
    for (const label of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) void group.apply(event(label, { key: label }));
    await turn();
    expect(batches).to.deep.equal([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    release();
    await turn();
    expect(batches.slice(2), 'the third waits for a slot, whole').to.deep.equal([['e', 'f']]);
  });

  it('runs an event that lost the race to create its result again, and fails it after five losses in a row', async () => {
    const { batches, apply, release } = controlled();
    const group = new GroupCommit(apply, 8);
    const outcome = group.apply(event('racer', { key: 'k' }));
    for (let loss = 1; loss <= 5; loss++) {
      await turn();
      expect(batches).to.have.length(loss);
      release(() => ({ again: 'lostRace' }));
    }
    const error = await outcome.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(TargetBusy);
  });
});
