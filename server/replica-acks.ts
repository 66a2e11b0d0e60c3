// A 202 that outlives its Redis master: before the API acknowledges a job, `replicas` replicas of the
// master that took it must hold it (WAIT on the connection that wrote it). Redis replicates
// asynchronously, so without this a master that dies right after an add can take the job with it when
// its replica is elected in its place. See docs/redis-cluster.md.
import { ReplyError, type Redis } from 'ioredis';
import type { RedisClient } from '../config/redis';
import { keySlot } from '../domain/queue-shards';
import { serviceUnavailable } from './http-errors';

export interface ReplicaAckOptions {
  /** Replicas that must hold a write before it is acknowledged; 0 acknowledges at once, as before. */
  readonly replicas: number;
  /** How long WAIT may take; it holds the connection, so keep it well under the Redis command timeout. */
  readonly timeoutMs: number;
}

const notReplicated = () => serviceUnavailable('the queue could not copy the event to a replica in time, try again shortly', 1);

/**
 * The WAITs for the writes one producer connection makes to one slot (a queue shard's). WAIT counts every
 * earlier write of its connection, so the writes that finished while one WAIT was in flight share the
 * next: a burst of requests costs one or two WAITs, not one each.
 */
export class ReplicaAcks {
  private readonly slot: number;
  /** Per master: a slot that moves (a failover) is waited for on its new master from then on. */
  private readonly waits = new WeakMap<Redis, SharedWait>();

  constructor(
    private readonly connection: RedisClient,
    /** A key of the slot the writes go to (the queue's own keys share one). */
    slotKey: string,
    private readonly options: ReplicaAckOptions,
  ) {
    this.slot = keySlot(slotKey);
  }

  /**
   * Runs `write`, then waits until enough replicas hold it; a 503 when they do not in time. A write made
   * while the slot moved to another node is not confirmed either: WAIT on the new master would not count
   * a write the old one took.
   */
  async confirm<T>(write: () => Promise<T>): Promise<T> {
    if (this.options.replicas === 0) return write();
    const before = this.master();
    const result = await write();
    const node = this.master();
    if (!node || node !== before || (await this.waitOn(node).acked()) < this.options.replicas) throw notReplicated();
    return result;
  }

  /** The connection to the master that holds the slot now, as far as the client knows. */
  private master(): Redis | undefined {
    if (!('slots' in this.connection)) return this.connection;
    const key = this.connection.slots[this.slot]?.[0];
    return this.connection.nodes('master').find((node) => `${node.options.host}:${node.options.port}` === key);
  }

  private waitOn(node: Redis): SharedWait {
    let wait = this.waits.get(node);
    if (!wait) this.waits.set(node, (wait = new SharedWait(node, this.options)));
    return wait;
  }
}

/**
 * A node refuses WAIT once it is no longer a master ("WAIT cannot be used with replica instances"): a
 * failover demoted it after it took the write and before the client learnt the slot had moved. Nothing
 * confirms that write, so it counts as held by no replica: a 503, sent again, never a 500.
 */
function refusedAsNone(error: unknown): number {
  if (error instanceof ReplyError) return 0;
  throw error;
}

/** One WAIT in flight on a connection at a time, and at most one more queued behind it for all who come. */
class SharedWait {
  private running?: Promise<number>;
  private queued?: Promise<number>;

  constructor(
    private readonly node: Redis,
    private readonly options: ReplicaAckOptions,
  ) {}

  /** Replicas that hold this connection's writes so far: a WAIT sent now, or the one after the WAIT in flight. */
  acked(): Promise<number> {
    if (!this.running) return this.send();
    this.queued ??= this.running
      .catch(() => 0)
      .then(() => {
        this.queued = undefined;
        return this.send();
      });
    return this.queued;
  }

  private send(): Promise<number> {
    const sent = (this.node.call('WAIT', this.options.replicas, this.options.timeoutMs) as Promise<number>)
      .catch(refusedAsNone)
      .finally(() => {
        if (this.running === sent) this.running = undefined;
      });
    this.running = sent;
    return sent;
  }
}
