// One worker process at a time consumes a task-result shard, so a key's events are applied in the order
// they were queued even with several worker processes (docs/decisions/011-shard-leases.md). Each process
// says it is alive in a sorted set, works out from the live set which shards are its own
// (shard-assignment.ts), and holds a lease, a Redis key with an expiry it renews, on each shard it consumes.
// A shard changes hands only once its lease is free: given up after the old owner's jobs finished, or
// expired when the old owner died.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Logger } from '../config/logger';
import type { RedisClient } from '../config/redis';
import { assignShards, decodeConsumer, encodeConsumer } from './shard-assignment';

/** What consuming a shard means: begin, and stop once the shard's active jobs are done. */
export interface ShardHandlers {
  start(shard: number): void;
  stop(shard: number): Promise<void>;
}

export interface ShardLeaseOptions {
  readonly redis: RedisClient;
  /** The sorted set of live consumers. */
  readonly consumersKey: string;
  /** The lease key of each shard, in the shard's own hash slot. */
  readonly leaseKeys: readonly string[];
  /** The shards this process may consume (WORKER_SHARDS); any when undefined. */
  readonly shards?: readonly number[];
  /** How long a lease and a liveness entry last unrenewed (renewed every second): how long a dead owner's shards wait. */
  readonly leaseMs: number;
  readonly handlers: ShardHandlers;
  readonly logger: Logger;
}

// Redis' clock, not the processes': a process whose clock runs ahead must not think the others dead.
// Returns the consumers heard from within ARGV[3] ms; older entries stay until they expire, but a process
// that missed that many renewals is most likely dead, and shards assigned to it would wait for nothing.
const HEARTBEAT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
return {now, redis.call('ZRANGEBYSCORE', KEYS[1], now + tonumber(ARGV[2]) - tonumber(ARGV[3]), '+inf')}`;

// Takes a free lease or renews one's own; 0 when another process holds it.
const CLAIM = `
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

const RENEW_EVERY_MS = 1_000;
// The assignment counts the processes heard from this recently: a dead one's shards go to the others at
// once, though they still wait for its lease to lapse.
const LIVE_WITHIN_MS = 5_000;
const HANDOVER_POLL_MS = 250;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1`;

export class ShardLeases {
  readonly id = `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  private readonly member: string;
  private readonly running = new Set<number>();
  private readonly leaving = new Map<number, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: ShardLeaseOptions) {
    this.member = encodeConsumer({ id: this.id, shards: options.shards });
  }

  /** The shards this process consumes now. */
  owned(): number[] {
    return [...this.running].sort((a, b) => a - b);
  }

  start(): void {
    this.ticking = this.tick();
  }

  /** Stops consuming: every shard's active jobs finish, then its lease is given up for another to take. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.ticking;
    for (const shard of [...this.running]) this.leave(shard, true);
    await Promise.all(this.leaving.values());
    await this.options.redis.zrem(this.options.consumersKey, this.member).catch(() => undefined);
  }

  private async tick(): Promise<void> {
    let waiting = false;
    try {
      waiting = await this.rebalance();
    } catch (error) {
      this.options.logger.warn({ err: error }, 'shard leases not renewed this time');
    }
    if (this.closed) return;
    // A shard being handed over is looked at again soon, so it changes hands in a fraction of a second.
    const delay = waiting ? HANDOVER_POLL_MS : Math.min(RENEW_EVERY_MS, this.options.leaseMs / 5);
    this.timer = setTimeout(() => {
      this.ticking = this.tick();
    }, delay);
  }

  /** Renews what it holds, gives up and takes shards as the live set says; true while a handover is pending. */
  private async rebalance(): Promise<boolean> {
    const { redis, consumersKey, leaseKeys, leaseMs, logger } = this.options;
    const [, members] = (await redis.eval(HEARTBEAT, 1, consumersKey, this.member, leaseMs, LIVE_WITHIN_MS)) as [number, string[]];
    const owners = assignShards(leaseKeys.length, members.map(decodeConsumer));
    for (const shard of [...this.running]) if (owners.get(shard) !== this.id) this.leave(shard, true);
    const fresh = leaseKeys
      .map((_, shard) => shard)
      .filter((shard) => owners.get(shard) === this.id && !this.running.has(shard) && !this.leaving.has(shard));
    // Leaving shards are renewed too: their lease must outlast their last active job.
    const held = [...fresh, ...this.running, ...this.leaving.keys()];
    let waiting = false;
    await Promise.all(
      held.map(async (shard) => {
        const granted = (await redis.eval(CLAIM, 1, leaseKeys[shard], this.id, leaseMs)) === 1;
        if (granted && fresh.includes(shard)) {
          if (this.closed) return void (await this.release(shard));
          this.running.add(shard);
          logger.info({ shard, consumer: this.id }, 'consuming task-result shard');
          this.options.handlers.start(shard);
        } else if (!granted && this.running.has(shard)) {
          logger.warn({ shard, consumer: this.id }, 'task-result shard lease lost to another process: stopping');
          this.leave(shard, false);
        } else if (!granted) {
          waiting = true;
        }
      }),
    );
    return waiting;
  }

  private leave(shard: number, release: boolean): void {
    this.running.delete(shard);
    const { handlers, logger } = this.options;
    const done = handlers
      .stop(shard)
      .catch((error: unknown) => logger.error({ err: error, shard }, 'task-result shard did not stop cleanly'))
      .then(() => (release ? this.release(shard) : undefined))
      .catch((error: unknown) => logger.warn({ err: error, shard }, 'shard lease not given up: it lapses by itself'))
      .finally(() => {
        this.leaving.delete(shard);
        if (release) logger.info({ shard, consumer: this.id }, 'task-result shard handed back');
      });
    this.leaving.set(shard, done);
  }

  private async release(shard: number): Promise<void> {
    await this.options.redis.eval(RELEASE, 1, this.options.leaseKeys[shard], this.id);
  }
}
