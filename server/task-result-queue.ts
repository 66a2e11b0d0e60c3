// Producer side of the activity-results queue. Its Redis connection fails fast (no offline queue), so a
// request never hangs on a dead Redis: it gets a 503 within a second.
import { Queue, type Job, type JobState } from 'bullmq';
import type { Logger } from '../config/logger';
import { openRedis, type RedisClient, type RedisTarget } from '../config/redis';
import { DomainError } from '../domain/errors';
import { JOB_NAMES, JOB_OPTIONS, QUEUES, type TaskResultJobData, type TaskResultJobResult } from '../domain/jobs';
import { sha256Hex } from '../domain/task-result-event';
import { HttpError, serviceUnavailable } from './http-errors';
import { JobWaiter, type Finished } from './job-waiter';
import { RedisTimeout, isRedisUnavailable, logRedisErrors } from './redis-errors';
import { ReplicaAcks, type ReplicaAckOptions } from './replica-acks';

export interface TaskResultQueueOptions {
  /** A Redis URL, or a cluster (config.redis). */
  readonly redis: RedisTarget | string;
  readonly prefix: string;
  /** First retry delay, the job contract's unless given (tests shorten it); later ones double, with jitter. */
  readonly retryDelayMs?: number;
  readonly redisTimeoutMs?: number;
  /** Replicas that must hold a job before it is acknowledged (config.redisWait); none unless given. */
  readonly replicaAcks?: ReplicaAckOptions;
  readonly logger: Logger;
}

// The fingerprint of a stored job, without sending its body back: the producer writes `tenantId` and
// `fingerprint` first (domain/jobs.ts), and a job written otherwise is decoded whole. False: no such job.
const JOB_FINGERPRINT = `
local data = redis.call('HGET', KEYS[1], 'data')
if not data then return false end
local fingerprint = string.match(data, '^{"tenantId":"[%x-]*","fingerprint":"(%x+)"')
if fingerprint then return fingerprint end
local ok, decoded = pcall(cjson.decode, data)
if ok and type(decoded) == 'table' and type(decoded.fingerprint) == 'string' then return decoded.fingerprint end
return ''`;

// The first of the jobs (KEYS) whose stored fingerprint is not the one given for it (ARGV), 1-based;
// 0 when every job holds its own event or does not exist.
const FIRST_REUSED_JOB = `
for i, key in ipairs(KEYS) do
  local data = redis.call('HGET', key, 'data')
  if data then
    local fingerprint = string.match(data, '^{"tenantId":"[%x-]*","fingerprint":"(%x+)"')
    if not fingerprint then
      local ok, decoded = pcall(cjson.decode, data)
      fingerprint = (ok and type(decoded) == 'table' and type(decoded.fingerprint) == 'string') and decoded.fingerprint or ''
    end
    if fingerprint ~= ARGV[i] then return i end
  end
end
return 0`;

// Binds a batch's Idempotency-Key to the batch (its fingerprint) unless it is bound already: the value
// it is bound to, or false when this call bound it.
const CLAIM_BATCH_KEY = `
local stored = redis.call('GET', KEYS[1])
if stored then return stored end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false`;

const keyReused = () => new DomainError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with a different request body');

export interface AddOptions {
  /**
   * The job id comes from an Idempotency-Key, so another body may hold it: the add is then checked
   * (IDEMPOTENCY_KEY_REUSED when the job holds another fingerprint). Of two requests racing with one key,
   * the one whose add made the job is the one acknowledged.
   */
  readonly keyed: boolean;
}

const TASK_RESULT = JOB_OPTIONS[JOB_NAMES.taskResult];
const DAY_SECONDS = 24 * 3600;
/**
 * How long a batch's Idempotency-Key stays bound to its batch: longer than any of its jobs is kept (a
 * failed one 14 days), so the key cannot be freed while a job made under it remains.
 */
const BATCH_KEY_TTL_MS = 15 * DAY_SECONDS * 1000;

/** One job of a batch, as `add` takes it. */
export interface BulkJob {
  readonly data: TaskResultJobData;
  readonly jobId: string;
}

/** The name of the connection on which the web reads the queue's events for requests that wait. */
export const waiterConnectionName = (prefix: string) => `${prefix}:${QUEUES.activityResults}:waiter`;

export class TaskResultQueue {
  readonly queue: Queue<TaskResultJobData, TaskResultJobResult>;
  private readonly connection: RedisClient;
  private readonly eventsConnection: RedisClient;
  private readonly waiter: JobWaiter;
  private readonly acks: ReplicaAcks;
  private readonly timeoutMs: number;

  constructor(private readonly options: TaskResultQueueOptions) {
    this.timeoutMs = options.redisTimeoutMs ?? 1_000;
    this.connection = openRedis(options.redis, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: this.timeoutMs });
    this.connection.defineCommand('jobFingerprint', { numberOfKeys: 1, lua: JOB_FINGERPRINT });
    this.connection.defineCommand('firstReusedJob', { lua: FIRST_REUSED_JOB });
    this.connection.defineCommand('claimBatchKey', { numberOfKeys: 1, lua: CLAIM_BATCH_KEY });
    logRedisErrors(this.connection, options.logger, 'producer');
    this.queue = new Queue(QUEUES.activityResults, { connection: this.connection, prefix: options.prefix });
    this.queue.on('error', () => {}); // the connection's own errors, logged above
    this.acks = new ReplicaAcks(this.connection, this.queue.toKey(''), options.replicaAcks ?? { replicas: 0, timeoutMs: 0 });
    // A read cut off by a lost connection fails rather than being sent again later: the waiter retries it.
    // Named, so CLIENT LIST shows whether the web is reading the queue's events.
    this.eventsConnection = openRedis(options.redis, { maxRetriesPerRequest: 1, connectionName: waiterConnectionName(options.prefix) });
    logRedisErrors(this.eventsConnection, options.logger, 'job-waiter');
    this.waiter = new JobWaiter(this.queue, this.connection, this.eventsConnection);
  }

  /** Adds the job unless one with this id exists already (then the add is a no-op, checked when keyed). */
  async add(data: TaskResultJobData, jobId: string, { keyed }: AddOptions): Promise<void> {
    await this.redis(this.acks.confirm(() => this.queue.add(JOB_NAMES.taskResult, data, this.jobOptions(jobId))));
    if (keyed) await this.assertNotReused(jobId, data.fingerprint);
  }

  /**
   * A batch's jobs in one round trip (BullMQ's addBulk), each added unless its id exists already, as
   * `add` does; keyed, the jobs found are checked in one more. Bounded by a few Redis timeouts: a
   * thousand jobs are a few megabytes to write.
   */
  async addBulk(jobs: readonly BulkJob[], { keyed }: AddOptions): Promise<void> {
    if (jobs.length === 0) return;
    const bound = this.timeoutMs * 5;
    await this.redis(
      this.acks.confirm(() =>
        this.queue.addBulk(jobs.map((j) => ({ name: JOB_NAMES.taskResult, data: j.data, opts: this.jobOptions(j.jobId) }))),
      ),
      bound,
    );
    if (!keyed) return;
    const keys = jobs.map((j) => this.queue.toKey(j.jobId));
    const first = await this.redis(
      (this.connection as unknown as JobFingerprint).firstReusedJob(keys.length, ...keys, ...jobs.map((j) => j.data.fingerprint)),
      bound,
    );
    if (first > 0) throw keyReused();
  }

  /**
   * Binds a batch's Idempotency-Key to the batch, atomically: of two batches racing with one key and
   * different bodies, exactly one is taken, before any of its jobs is added. IDEMPOTENCY_KEY_REUSED when
   * the key is bound to another batch.
   */
  async claimBatchKey(tenantId: string, idempotencyKey: string, batchFingerprint: string): Promise<void> {
    const key = this.queue.toKey(`batch-key-${tenantId}-${sha256Hex(idempotencyKey).slice(0, 40)}`);
    const stored = await this.redis(this.acks.confirm(() => this.claim(key, batchFingerprint)));
    if (stored !== null && stored !== batchFingerprint) throw keyReused();
  }

  /**
   * Binds a single event's Idempotency-Key to its event (the fingerprint) unless it is bound already, as
   * claimBatchKey binds a batch's. With several shards the key's jobs may go to another shard than the
   * binding, so the binding, not the job, is what answers IDEMPOTENCY_KEY_REUSED there.
   */
  async claimEventKey(tenantId: string, idempotencyKey: string, fingerprint: string): Promise<void> {
    const key = this.queue.toKey(`event-key-${tenantId}-${sha256Hex(idempotencyKey).slice(0, 40)}`);
    const stored = await this.redis(this.acks.confirm(() => this.claim(key, fingerprint)));
    if (stored !== null && stored !== fingerprint) throw keyReused();
  }

  /** Binds `key` to `fingerprint` unless it is bound: the fingerprint it is bound to, or null when this bound it. */
  private claim(key: string, fingerprint: string): Promise<string | null> {
    return (this.connection as unknown as JobFingerprint).claimBatchKey(key, fingerprint, BATCH_KEY_TTL_MS);
  }

  /** Adds a batch's jobs as `addBulk` does and waits up to `timeoutMs` for all of their outcomes at once. */
  addBulkAndWait(jobs: readonly BulkJob[], options: AddOptions, timeoutMs: number): Promise<Map<string, Finished>> {
    const ids = jobs.map((j) => j.jobId);
    return this.redis(
      this.waiter.waitMany(ids, timeoutMs, () => this.addBulk(jobs, options)),
      timeoutMs + this.timeoutMs * 10,
    );
  }

  /** Waits up to `timeoutMs` for the outcomes of jobs that exist already. */
  waitMany(jobIds: readonly string[], timeoutMs: number): Promise<Map<string, Finished>> {
    return this.redis(this.waiter.waitMany(jobIds, timeoutMs), timeoutMs + this.timeoutMs * 5);
  }

  private jobOptions(jobId: string) {
    const backoff = { ...TASK_RESULT.backoff, delay: this.options.retryDelayMs ?? TASK_RESULT.backoff.delay };
    return { ...TASK_RESULT, backoff, jobId };
  }

  /** IDEMPOTENCY_KEY_REUSED when the job with this id holds an event other than the one fingerprinted. */
  async assertNotReused(jobId: string, fingerprint: string): Promise<void> {
    const stored = await this.redis((this.connection as unknown as JobFingerprint).jobFingerprint(this.queue.toKey(jobId)));
    if (stored !== null && stored !== fingerprint) throw keyReused();
  }

  getJob(jobId: string): Promise<Job<TaskResultJobData, TaskResultJobResult> | undefined> {
    return this.redis(this.queue.getJob(jobId));
  }

  /**
   * The job with its state, the state read first: a job read before it finished could carry a
   * finished state with the fields of its last run still missing (no failedReason, attempts short).
   */
  async getJobWithState(jobId: string): Promise<{ job: Job<TaskResultJobData, TaskResultJobResult>; state: JobState } | undefined> {
    const state = await this.redis(this.queue.getJobState(jobId));
    const job = state === 'unknown' ? undefined : await this.getJob(jobId);
    return job && { job, state: state as JobState };
  }

  /** Adds the job as `add` does and waits up to `timeoutMs` for its outcome (undefined if none yet). */
  addAndWait(data: TaskResultJobData, jobId: string, options: AddOptions, timeoutMs: number): Promise<Finished | undefined> {
    return this.redis(
      this.waiter.wait(jobId, timeoutMs, () => this.add(data, jobId, options)),
      timeoutMs + this.timeoutMs,
    );
  }

  /** Waits up to `timeoutMs` for the outcome of a job that exists already. */
  wait(jobId: string, timeoutMs: number): Promise<Finished | undefined> {
    return this.redis(this.waiter.wait(jobId, timeoutMs), timeoutMs + this.timeoutMs);
  }

  /** Sends a job that ran out of attempts (an outage outlasted them) through again. */
  async retryFailed(jobId: string): Promise<void> {
    const job = await this.getJob(jobId);
    if (job) await this.redis(job.retry('failed'));
  }

  /** Resolves once the producer connection is up, or false after `timeoutMs` (requests then get 503s). */
  async ready(timeoutMs: number): Promise<boolean> {
    if (this.connection.status === 'ready') return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.connection.once('ready', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  async ping(): Promise<void> {
    await this.redis(this.connection.ping());
  }

  /** Closes cleanly when Redis answers; with Redis gone it gives up after a moment instead of hanging. */
  async close(): Promise<void> {
    this.waiter.close();
    this.eventsConnection.disconnect();
    await Promise.race([this.queue.close(), new Promise((r) => setTimeout(r, 2_000).unref())]);
    this.connection.disconnect();
  }

  /**
   * `operation`, bounded by `timeoutMs`. A Redis that is away or cannot take the command is a 503; any
   * other error (a domain error from a check, an answer already chosen, a bug) is passed on as it is.
   */
  private async redis<T>(operation: Promise<T>, timeoutMs = this.timeoutMs): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RedisTimeout(timeoutMs)), timeoutMs);
    });
    try {
      return await Promise.race([operation, timeout]);
    } catch (error) {
      operation.catch(() => {});
      if (!(error instanceof DomainError || error instanceof HttpError) && isRedisUnavailable(error))
        throw serviceUnavailable('the queue is unavailable, try again shortly');
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}

interface JobFingerprint {
  jobFingerprint(key: string): Promise<string | null>;
  firstReusedJob(numberOfKeys: number, ...keysThenFingerprints: string[]): Promise<number>;
  claimBatchKey(key: string, batchFingerprint: string, ttlMs: number): Promise<string | null>;
}
