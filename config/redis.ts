// The one place Redis connections are made: a single Redis from REDIS_URL, or ioredis' Cluster client when
// REDIS_CLUSTER_NODES names a Redis Cluster (docs/redis-cluster.md). Each caller says how its connection
// behaves (a producer fails fast, a worker waits); the options mean the same on either kind.
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

/** Either kind of connection: BullMQ and the rate limiter take both. */
export type RedisClient = Redis | Cluster;

export interface RedisNode {
  readonly host: string;
  readonly port: number;
}

/** Where Redis is: `url` alone, or the seed nodes of a cluster (then `url` is not used). */
export interface RedisTarget {
  readonly url: string;
  readonly clusterNodes?: readonly RedisNode[];
}

/** The options of a connection, as for a single Redis; on a cluster they apply to each node's connection. */
export type ConnectionOptions = Pick<
  RedisOptions,
  | 'enableOfflineQueue'
  | 'maxRetriesPerRequest'
  | 'connectTimeout'
  | 'commandTimeout'
  | 'enableReadyCheck'
  | 'connectionName'
  | 'lazyConnect'
  | 'retryStrategy'
>;

/**
 * `writePerTurn`: the commands the connection is given in one turn of the event loop go to its socket in one
 * write. Each write costs a system call and, above all, a wake-up of Redis: a worker's committed batch
 * finishes all its jobs at once (docs/performance.md).
 */
export type OpenOptions = ConnectionOptions & { readonly writePerTurn?: boolean };

/** `host:port,host:port,…` as REDIS_CLUSTER_NODES holds it. */
export function parseClusterNodes(text: string): RedisNode[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .map((entry) => {
      const at = entry.lastIndexOf(':');
      return { host: entry.slice(0, at), port: Number(entry.slice(at + 1)) };
    });
}

/** A Redis URL alone stands for a single Redis. */
export function redisTarget(where: RedisTarget | string): RedisTarget {
  return typeof where === 'string' ? { url: where } : where;
}

export function openRedis(where: RedisTarget | string, { writePerTurn: coalesce, ...options }: OpenOptions = {}): RedisClient {
  const client = connect(redisTarget(where), options);
  if (!coalesce) return client;
  if ('nodes' in client) client.on('+node', (node: Redis) => writePerTurn(node));
  else writePerTurn(client);
  return client;
}

function connect(target: RedisTarget, options: ConnectionOptions): RedisClient {
  if (target.clusterNodes === undefined) return new Redis(target.url, options);
  const { enableOfflineQueue, enableReadyCheck, lazyConnect, retryStrategy, ...perNode } = options;
  const clusterOptions: ClusterOptions = {
    enableOfflineQueue,
    enableReadyCheck,
    lazyConnect,
    // A failover moves slots: commands wait for the new master instead of failing while it is elected.
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    clusterRetryStrategy: retryStrategy === undefined ? undefined : (times) => (retryStrategy ? (retryStrategy(times) ?? null) : null),
    redisOptions: perNode,
  };
  return new Cluster([...target.clusterNodes], clusterOptions);
}

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

/**
 * One connection to each node (a cluster's seed nodes, or the single Redis), for per-node commands such as
 * CONFIG GET, which a cluster client would send to one node only.
 */
export function openEachNode(where: RedisTarget | string, options: ConnectionOptions = {}): Redis[] {
  const target = redisTarget(where);
  if (target.clusterNodes === undefined) return [new Redis(target.url, options)];
  return target.clusterNodes.map((node) => new Redis({ ...node, ...options }));
}
