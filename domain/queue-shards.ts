// Where queue keys live on a Redis Cluster. A key's slot is CRC16 of its hash tag (the part between the
// first `{` and the next `}`, when not empty) or else of the whole key, modulo 16384; every key of one
// BullMQ queue must be in one slot, so a queue's prefix carries the tag (docs/redis-cluster.md).

import type { TaskResultEvent } from './task-result-event';

export const SLOTS = 16384;

/** CRC16-CCITT (XMODEM), the checksum Redis Cluster hashes keys with. */
function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** The hash tag of a key, as Redis Cluster finds it; undefined when the key has none. */
export function hashTagOf(key: string): string | undefined {
  const open = key.indexOf('{');
  if (open < 0) return undefined;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : undefined;
}

/** The cluster slot of a key (CLUSTER KEYSLOT). */
export function keySlot(key: string): number {
  return crc16(new TextEncoder().encode(hashTagOf(key) ?? key)) % SLOTS;
}

/**
 * The tag of shard `index` of `count`: the first of `<base>-s<index>`, `<base>-s<index>.1`, … whose slot
 * lies in the middle half of the shard's share of the slots, so `count` shards land evenly apart (with
 * as many equal masters, one on each). Found anew by every process, the same each time.
 */
export function shardTag(base: string, index: number, count: number): string {
  const share = SLOTS / count;
  const [low, high] = [(index + 0.25) * share, (index + 0.75) * share];
  for (let attempt = 0; ; attempt++) {
    const tag = attempt === 0 ? `${base}-s${index}` : `${base}-s${index}.${attempt}`;
    const slot = keySlot(`{${tag}}`);
    if (slot >= low && slot < high) return tag;
  }
}

/**
 * The prefixes of the task-result queue's shards. One shard is the queue as it always was, under the
 * configured prefix; of more, each has the prefix with its hash tag (or, lacking one, the whole prefix)
 * replaced by the shard's own tag: `{bull}` → `{bull-s0}`, `{bull-s1.3}`, …; `app{bull}` → `app{bull-s0}`, ….
 */
export function shardPrefixes(queuePrefix: string, count: number): string[] {
  if (count === 1) return [queuePrefix];
  const tag = hashTagOf(queuePrefix);
  const base = tag ?? queuePrefix;
  return Array.from({ length: count }, (_, index) => {
    const own = `{${shardTag(base, index, count)}}`;
    return tag === undefined ? own : queuePrefix.replace(`{${tag}}`, own);
  });
}

/** What an event is about, as the worker groups and locks it: its activity id, else its provider key. */
export interface ShardKey {
  readonly tenantId: string;
  readonly activityId: string | null;
  readonly providerActivityId: string | null;
}

/** FNV-1a, 32 bits: a stable hash, the same in every process and release. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}

/** The shard of an event: one key's events always meet on one shard, so its order and batching hold. */
export function shardOf(key: ShardKey, count: number): number {
  if (count === 1) return 0;
  const target = key.activityId !== null ? `a:${key.activityId}` : `p:${key.providerActivityId ?? ''}`;
  return fnv1a(`${key.tenantId}\n${target}`) % count;
}

/** The shard that holds an Idempotency-Key's binding: one place for the key, whichever shard its events go to. */
export function bindingShardOf(tenantId: string, idempotencyKey: string, count: number): number {
  return count === 1 ? 0 : fnv1a(`${tenantId}\n${idempotencyKey}`) % count;
}

/** `0,2` as WORKER_SHARDS holds it; undefined when empty (every shard). */
export function parseShardList(text: string | undefined): number[] | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  return [...new Set(text.split(',').map((part) => Number(part.trim())))].sort((a, b) => a - b);
}

/** The shard key of an event: its activity id wins over its provider key, as in the worker's lock order. */
export function shardKeyOf(tenantId: string, event: Pick<TaskResultEvent, 'activity_id' | 'provider_activity_id'>): ShardKey {
  return { tenantId, activityId: event.activity_id ?? null, providerActivityId: event.provider_activity_id ?? null };
}
