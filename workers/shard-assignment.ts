// Which live worker process should consume which task-result shard. Every process works this out from the
// same list of live consumers and gets the same answer, so they agree without talking to each other; the
// leases (shard-leases.ts) make sure that, while they disagree for a moment, a shard still has one owner.

/** A live worker process: its id, and the shards it may consume (WORKER_SHARDS), or any when undefined. */
export interface ShardConsumer {
  readonly id: string;
  readonly shards?: readonly number[];
}

/**
 * The owner of each of `count` shards: shards with fewer candidates are placed first, each with the
 * candidate holding fewest so far (ties by id), so a dedicated process keeps its shards and the rest are
 * spread evenly. A shard no consumer may take has no owner.
 */
export function assignShards(count: number, consumers: readonly ShardConsumer[]): Map<number, string> {
  const sorted = [...consumers].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const candidatesOf = (shard: number) => sorted.filter((c) => c.shards === undefined || c.shards.includes(shard));
  const shards = Array.from({ length: count }, (_, shard) => ({ shard, candidates: candidatesOf(shard) }));
  shards.sort((a, b) => a.candidates.length - b.candidates.length || a.shard - b.shard);
  const held = new Map<string, number>();
  const owners = new Map<number, string>();
  for (const { shard, candidates } of shards) {
    let owner: ShardConsumer | undefined;
    for (const candidate of candidates)
      if (owner === undefined || (held.get(candidate.id) ?? 0) < (held.get(owner.id) ?? 0)) owner = candidate;
    if (owner === undefined) continue;
    owners.set(shard, owner.id);
    held.set(owner.id, (held.get(owner.id) ?? 0) + 1);
  }
  return owners;
}

/** A consumer as the live set stores it: `id|*` or `id|0,2`. */
export function encodeConsumer(consumer: ShardConsumer): string {
  return `${consumer.id}|${consumer.shards === undefined ? '*' : consumer.shards.join(',')}`;
}

export function decodeConsumer(member: string): ShardConsumer {
  const bar = member.lastIndexOf('|');
  const [id, list] = bar < 0 ? [member, '*'] : [member.slice(0, bar), member.slice(bar + 1)];
  return list === '*' ? { id } : { id, shards: list === '' ? [] : list.split(',').map(Number) };
}
