// What a failed Redis command means for the request that sent it. Redis being away or busy is an outage:
// 503, try again shortly. Anything else (a script error, a wrong type, a bug in our code) must not pass
// for an outage: it is a logged 500. See docs/operations.md.
import { ReplyError } from 'ioredis';
import type { EventEmitter } from 'node:events';
import type { Logger } from '../config/logger';

/** A command that did not answer in time; the connection may be up but Redis is not answering. */
export class RedisTimeout extends Error {
  constructor(ms: number) {
    super(`Redis did not answer within ${ms} ms`);
    this.name = 'RedisTimeout';
  }
}

// Redis's own error replies name their kind in the first word; these say "not now", not "never".
const BUSY_REPLIES = new Set(['OOM', 'LOADING', 'BUSY', 'MASTERDOWN', 'CLUSTERDOWN', 'TRYAGAIN', 'READONLY', 'NOREPLICAS']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** Whether `error`, from a command on `connection`, means Redis cannot be reached or cannot take it now. */
export function isRedisUnavailable(error: unknown, connection: { readonly status: string }): boolean {
  if (error instanceof RedisTimeout) return true;
  if (error instanceof ReplyError) return BUSY_REPLIES.has(String((error as Error).message).split(' ')[0]);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  // ioredis fails a command on a connection that is not ready (offline queue off) with a plain Error.
  return connection.status !== 'ready' && !(error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError);
}

const LOG_EVERY_MS = 30_000;

/**
 * Logs a connection's `error` events: the first at once, then one line per LOG_EVERY_MS with how many
 * there were, so an outage shows in the log without flooding it (ioredis reports every reconnect try).
 */
export function logRedisErrors(emitter: EventEmitter, logger: Logger, connection: string): void {
  let lastLoggedAt = 0;
  let suppressed = 0;
  emitter.on('error', (error: Error) => {
    const now = Date.now();
    if (now - lastLoggedAt < LOG_EVERY_MS) return void suppressed++;
    logger.warn({ connection, err: error, suppressed }, 'Redis connection error');
    lastLoggedAt = now;
    suppressed = 0;
  });
}
