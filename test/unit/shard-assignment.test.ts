import { expect } from 'chai';
import { assignShards, decodeConsumer, encodeConsumer } from '../../workers/shard-assignment';

const owners = (count: number, ...consumers: Parameters<typeof assignShards>[1]) => Object.fromEntries(assignShards(count, consumers));

describe('shard assignment', () => {
  it('gives every shard to the one live consumer', () => {
    expect(owners(3, { id: 'a' })).to.deep.equal({ 0: 'a', 1: 'a', 2: 'a' });
  });

  it('spreads shards evenly, the same whatever order the consumers are listed in', () => {
    const spread = owners(4, { id: 'b' }, { id: 'a' });
    expect(spread).to.deep.equal({ 0: 'a', 1: 'b', 2: 'a', 3: 'b' });
    expect(owners(4, { id: 'a' }, { id: 'b' })).to.deep.equal(spread);
  });

  it('leaves a consumer beyond the shard count without a shard, for standby', () => {
    expect(owners(1, { id: 'a' }, { id: 'b' })).to.deep.equal({ 0: 'a' });
  });

  it('keeps a dedicated consumer on its shards and spreads the rest', () => {
    expect(owners(4, { id: 'a' }, { id: 'z', shards: [0] })).to.deep.equal({ 0: 'z', 1: 'a', 2: 'a', 3: 'a' });
    expect(owners(3, { id: 'a', shards: [1] }, { id: 'b', shards: [1] })).to.deep.equal({ 1: 'a' });
  });

  it('reads back what it writes in the live set, ids with a bar in them too', () => {
    for (const consumer of [{ id: 'host-1-ab' }, { id: 'x|y', shards: [0, 2] }, { id: 'c', shards: [] }])
      expect(decodeConsumer(encodeConsumer(consumer))).to.deep.equal(consumer);
  });
});
