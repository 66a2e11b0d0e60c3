// Where queue keys live on a Redis Cluster. A key's slot is CRC16 of its hash tag (the part between the
// first `{` and the next `}`, when not empty) or else of the whole key, modulo 16384; every key of one
// BullMQ queue must be in one slot, so a queue's prefix carries the tag (docs/redis-cluster.md).

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
