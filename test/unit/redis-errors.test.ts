import { expect } from 'chai';
import { EventEmitter } from 'node:events';
import { ReplyError } from 'ioredis';
import pino from 'pino';
import { RedisTimeout, isRedisUnavailable, logRedisErrors } from '../../server/redis-errors';

describe('Redis errors', () => {
  it('tells an outage (503) from an error that is none (500)', () => {
    expect(isRedisUnavailable(new RedisTimeout(1000))).to.equal(true);
    expect(isRedisUnavailable(new ReplyError('OOM command not allowed when used memory > maxmemory'))).to.equal(true);
    expect(isRedisUnavailable(new ReplyError('LOADING Redis is loading the dataset in memory'))).to.equal(true);
    expect(isRedisUnavailable(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).to.equal(true);
    // ioredis, offline queue off, while it reconnects: whatever its status says by the time it is caught.
    expect(isRedisUnavailable(new Error("Stream isn't writeable and enableOfflineQueue options is false"))).to.equal(true);
    expect(isRedisUnavailable(new ReplyError('WRONGTYPE Operation against a key holding the wrong kind of value'))).to.equal(false);
    expect(isRedisUnavailable(new ReplyError('ERR Error running script'))).to.equal(false);
    expect(isRedisUnavailable(new TypeError('x is undefined'))).to.equal(false);
  });

  it("logs a connection's errors, the first at once and a burst as one line", () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const connection = new EventEmitter();
    logRedisErrors(connection, logger, 'producer');
    for (let i = 0; i < 50; i++) connection.emit('error', new Error('connect ECONNREFUSED 127.0.0.1:1'));
    expect(lines).to.have.length(1);
    expect(JSON.parse(lines[0])).to.include({ connection: 'producer', msg: 'Redis connection error' });
  });
});
