import { expect } from 'chai';
import { EventStream } from '../../bench/load';

describe('bench event stream', () => {
  const keys = ['k0', 'k1', 'k2', 'k3', 'k4'].map((key) => ({ provider_activity_id: key, commerce_external_id: 'store-001' }));
  const read = (text: string) => JSON.parse(text) as { provider_activity_id: string; occurred_at: string };

  it('gives each lane keys of its own, every event newer than the one before on any lane', () => {
    const stream = new EventStream(keys);
    const before = read(stream.next());
    const [a, b] = stream.lanes(2);
    const events = [a(), b(), a(), a(), b(), a()].map(read);
    expect(events.map((e) => e.provider_activity_id)).to.deep.equal(['k0', 'k1', 'k2', 'k4', 'k3', 'k0']);
    const times = [before, ...events].map((e) => Date.parse(e.occurred_at));
    expect(times).to.deep.equal([...times].sort((x, y) => x - y));
    expect(new Set(times).size).to.equal(times.length);
    expect(stream.count).to.equal(7);
  });

  it('refuses more lanes than keys', () => {
    expect(() => new EventStream(keys).lanes(6)).to.throw(/6 lanes need at least 6 event keys/);
  });
});
