import type { Redis } from 'ioredis';
import { openRedis, type RedisClient, type RedisTarget } from '../config/redis';

/** Workers wait out a Redis restart instead of failing commands: BullMQ requires this. */
export function workerConnection(redis: RedisTarget | string): RedisClient {
  const connection = openRedis(redis, { maxRetriesPerRequest: null, enableReadyCheck: true });
  if ('nodes' in connection) connection.on('+node', (node: Redis) => writePerTurn(node));
  else writePerTurn(connection);
  return connection;
}

/**
 * The commands a connection is given in one turn of the event loop go to its socket in one write: a batch
 * that commits finishes all its jobs at once, and each finish is a BullMQ script call. One write instead of
 * one per job saves the system call and, above all, the wake-up of Redis each write costs
 * (docs/performance.md).
 */
function writePerTurn(redis: Redis): void {
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = (command: Parameters<Redis['sendCommand']>[0], stream?: Parameters<Redis['sendCommand']>[1]) => {
    const socket = redis.stream;
    if (socket && !socket.writableCorked) {
      socket.cork();
      process.nextTick(() => socket.uncork());
    }
    return send(command, stream);
  };
}
