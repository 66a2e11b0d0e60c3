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

/**
 * Whether `error`, from a Redis command, means Redis cannot be reached or cannot take it now. Redis answers
 * every refusal with a reply error, named by its first word; anything else from the client (a closed or
 * unwritable stream, a refused connection, a reset) means no answer came. A programming error is a bug.
 */
export function isRedisUnavailable(error: unknown): boolean {
  if (error instanceof RedisTimeout) return true;
  if (error instanceof ReplyError) return BUSY_REPLIES.has(String((error as Error).message).split(' ')[0]);
  return !(error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError || error instanceof ReferenceError);
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
