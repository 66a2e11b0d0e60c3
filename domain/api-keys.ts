import { randomBytes } from 'node:crypto';
import { sha256Hex } from './task-result-event';

/** What an API key may do; a key carries one or more. */
export const PERMISSIONS = ['CREATE_ACTIVITY', 'VIEW_ACTIVITIES'] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** A new random key; only its hash and prefix are kept. The prefix tells keys apart in lists. */
export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const key = `ark_${randomBytes(32).toString('base64url')}`;
  return { key, prefix: key.slice(0, 12), hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return sha256Hex(key);
}
