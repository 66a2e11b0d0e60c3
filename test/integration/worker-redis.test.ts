import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { workerConnection } from '../../workers/redis';
import { REDIS_URL } from '../support/env';

/** Counts the writes that reach a socket: one per `_write`, one per `_writev` of several commands. */
function countWrites(socket: NonNullable<Redis['stream']>): { writes: number } {
  const counted = { writes: 0 };
  const internals = socket as unknown as Record<'_write' | '_writev', (...args: unknown[]) => void>;
  for (const name of ['_write', '_writev'] as const) {
    const original = internals[name].bind(socket);
    internals[name] = (...args: unknown[]) => {
      counted.writes++;
      original(...args);
    };
  }
  return counted;
}

describe("the worker's Redis connection", () => {
  it('writes the commands of one turn of the event loop to its socket at once, and each gets its answer', async () => {
    const redis = workerConnection(REDIS_URL) as Redis;
    try {
      await redis.ping();
      const counted = countWrites(redis.stream!);
      const key = `worker-redis-test:${process.pid}`;
      const answers = await Promise.all([redis.del(key), ...Array.from({ length: 20 }, () => redis.incr(key)), redis.del(key)]);
      expect(answers.slice(1, 21)).to.deep.equal(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(counted.writes).to.equal(1);
      // Commands of the next turn go in a write of their own.
      await Promise.all([redis.ping(), redis.ping()]);
      expect(counted.writes).to.equal(2);
    } finally {
      redis.disconnect();
    }
  });
});
