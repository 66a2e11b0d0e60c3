// Producer side of the activity-results queue. Its Redis connection fails fast (no offline queue), so a
// request never hangs on a dead Redis: it gets a 503 within a second.
import { Queue, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from '../config/logger';
import { DomainError } from '../domain/errors';
import { JOB_NAMES, JOB_OPTIONS, QUEUES, type TaskResultJobData, type TaskResultJobResult } from '../domain/jobs';
import { serviceUnavailable } from './http-errors';
import { JobWaiter, type Finished } from './job-waiter';
import { RedisTimeout, isRedisUnavailable, logRedisErrors } from './redis-errors';

export interface TaskResultQueueOptions {
  readonly redisUrl: string;
  readonly prefix: string;
  /** First retry delay, the job contract's unless given (tests shorten it); later ones double, with jitter. */
  readonly retryDelayMs?: number;
  readonly redisTimeoutMs?: number;
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

/** The name of the connection on which the web reads the queue's events for requests that wait. */
export const waiterConnectionName = (prefix: string) => `${prefix}:${QUEUES.activityResults}:waiter`;

export class TaskResultQueue {
  readonly queue: Queue<TaskResultJobData, TaskResultJobResult>;
  private readonly connection: Redis;
  private readonly eventsConnection: Redis;
  private readonly waiter: JobWaiter;
  private readonly timeoutMs: number;

  constructor(private readonly options: TaskResultQueueOptions) {
    this.timeoutMs = options.redisTimeoutMs ?? 1_000;
    this.connection = new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: this.timeoutMs });
    this.connection.defineCommand('jobFingerprint', { numberOfKeys: 1, lua: JOB_FINGERPRINT });
    logRedisErrors(this.connection, options.logger, 'producer');
    this.queue = new Queue(QUEUES.activityResults, { connection: this.connection, prefix: options.prefix });
    this.queue.on('error', () => {}); // the connection's own errors, logged above
    // A read cut off by a lost connection fails rather than being sent again later: the waiter retries it.
    // Named, so CLIENT LIST shows whether the web is reading the queue's events.
    this.eventsConnection = new Redis(options.redisUrl, { maxRetriesPerRequest: 1, connectionName: waiterConnectionName(options.prefix) });
    logRedisErrors(this.eventsConnection, options.logger, 'job-waiter');
    this.waiter = new JobWaiter(this.queue, this.connection, this.eventsConnection);
  }

  /** Adds the job unless one with this id exists already (then the add is a no-op, checked when keyed). */
  async add(data: TaskResultJobData, jobId: string, { keyed }: AddOptions): Promise<void> {
    const backoff = { ...TASK_RESULT.backoff, delay: this.options.retryDelayMs ?? TASK_RESULT.backoff.delay };
    await this.redis(this.queue.add(JOB_NAMES.taskResult, data, { ...TASK_RESULT, backoff, jobId }));
    if (keyed) await this.assertNotReused(jobId, data.fingerprint);
  }

  /** IDEMPOTENCY_KEY_REUSED when the job with this id holds an event other than the one fingerprinted. */
  async assertNotReused(jobId: string, fingerprint: string): Promise<void> {
    const stored = await this.redis((this.connection as unknown as JobFingerprint).jobFingerprint(this.queue.toKey(jobId)));
    if (stored !== null && stored !== fingerprint) throw keyReused();
  }

  getJob(jobId: string): Promise<Job<TaskResultJobData, TaskResultJobResult> | undefined> {
    return this.redis(this.queue.getJob(jobId));
  }

  /** Adds the job as `add` does and waits up to `timeoutMs` for its outcome (undefined if none yet). */
  addAndWait(data: TaskResultJobData, jobId: string, options: AddOptions, timeoutMs: number): Promise<Finished | undefined> {
    return this.redis(this.waiter.wait(jobId, timeoutMs, () => this.add(data, jobId, options)), timeoutMs + this.timeoutMs);
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
   * other error (a domain error from a check, a bug) is passed on as it is.
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
      if (!(error instanceof DomainError) && isRedisUnavailable(error)) throw serviceUnavailable('the queue is unavailable, try again shortly');
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}

interface JobFingerprint {
  jobFingerprint(key: string): Promise<string | null>;
}
