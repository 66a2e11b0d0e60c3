import { expect } from 'chai';
import { BatchLoader } from '../../lib/batch-loader';

/** A batch function the test releases by hand, recording the batches it was given. */
function controlled() {
  const batches: number[][] = [];
  const pending: Array<() => void> = [];
  const run = (inputs: readonly number[]) => {
    batches.push([...inputs]);
    return new Promise<number[]>((resolve) => pending.push(() => resolve(inputs.map((n) => n * 10))));
  };
  return { batches, run, releaseNext: () => pending.shift()!() };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('BatchLoader', () => {
  it('sends the lookups of one turn of the event loop together, and the ones that queue meanwhile next', async () => {
    const { batches, run, releaseNext } = controlled();
    const batcher = new BatchLoader(run, { maxInFlight: 1, maxBatch: 10 });
    const first = [1, 2].map((n) => batcher.load(n));
    expect(batches, 'nothing goes out before the turn ends').to.deep.equal([]);
    await tick();
    expect(batches).to.deep.equal([[1, 2]]);
    const later = [3, 4, 5].map((n) => batcher.load(n));
    await tick();
    expect(batches, 'the slot is busy').to.deep.equal([[1, 2]]);
    releaseNext();
    expect(await Promise.all(first)).to.deep.equal([10, 20]);
    await tick();
    expect(batches).to.deep.equal([
      [1, 2],
      [3, 4, 5],
    ]);
    releaseNext();
    expect(await Promise.all(later)).to.deep.equal([30, 40, 50]);
  });

  it('keeps batches within maxBatch and runs up to maxInFlight at once', async () => {
    const { batches, run, releaseNext } = controlled();
    const batcher = new BatchLoader(run, { maxInFlight: 2, maxBatch: 2 });
    const all = [1, 2, 3, 4, 5].map((n) => batcher.load(n));
    await tick();
    expect(batches).to.deep.equal([
      [1, 2],
      [3, 4],
    ]);
    releaseNext();
    await tick();
    expect(batches).to.deep.equal([[1, 2], [3, 4], [5]]);
    releaseNext();
    releaseNext();
    expect(await Promise.all(all)).to.deep.equal([10, 20, 30, 40, 50]);
  });

  it('rejects every lookup of a failed batch, and carries on with the next', async () => {
    let calls = 0;
    const batcher = new BatchLoader(
      async (inputs: readonly number[]) => {
        calls++;
        if (calls === 1) throw new Error('database away');
        return inputs.map((n) => n + 1);
      },
      { maxInFlight: 1, maxBatch: 10 },
    );
    const failed = batcher.load(1);
    await failed.then(
      () => expect.fail('should reject'),
      (error: Error) => expect(error.message).to.equal('database away'),
    );
    expect(await batcher.load(2)).to.equal(3);
  });
});
