// Producer side of the activity-results queue. Its Redis connection fails fast (no offline queue), so a
// request never hangs on a dead Redis: it gets a 503 within a second.
import { Queue, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUES, TASK_RESULT_ATTEMPTS, type TaskResultJobData, type TaskResultJobResult } from '../domain/jobs';
import { serviceUnavailable } from './http-errors';
import { JobWaiter, type Finished } from './job-waiter';

export interface TaskResultQueueOptions {
  readonly redisUrl: string;
  readonly prefix: string;
  /** First retry delay; later ones double, with jitter. */
  readonly retryDelayMs?: number;
  readonly redisTimeoutMs?: number;
}

const DAY_SECONDS = 24 * 3600;

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
    this.connection.on('error', () => {}); // surfaced per request as 503 and by /readyz
    this.queue = new Queue(QUEUES.activityResults, { connection: this.connection, prefix: options.prefix });
    this.queue.on('error', () => {});
    // A read cut off by a lost connection fails rather than being sent again later: the waiter retries it.
    // Named, so CLIENT LIST shows whether the web is reading the queue's events.
    this.eventsConnection = new Redis(options.redisUrl, { maxRetriesPerRequest: 1, connectionName: waiterConnectionName(options.prefix) });
    this.eventsConnection.on('error', () => {});
    this.waiter = new JobWaiter(this.queue, this.connection, this.eventsConnection);
  }

  /** Adds the job unless one with this id exists already (then the add is a no-op). */
  async add(name: string, data: TaskResultJobData, jobId: string): Promise<void> {
    await this.redis(
      this.queue.add(name, data, {
        jobId,
        attempts: TASK_RESULT_ATTEMPTS,
        backoff: { type: 'exponential', delay: this.options.retryDelayMs ?? 4_000, jitter: 0.5 },
        removeOnComplete: { age: DAY_SECONDS },
        removeOnFail: { age: 14 * DAY_SECONDS },
      }),
    );
  }

  getJob(jobId: string): Promise<Job<TaskResultJobData, TaskResultJobResult> | undefined> {
    return this.redis(this.queue.getJob(jobId));
  }

  /** Adds the job as `add` does and waits up to `timeoutMs` for its outcome (undefined if none yet). */
  addAndWait(name: string, data: TaskResultJobData, jobId: string, timeoutMs: number): Promise<Finished | undefined> {
    return this.redis(this.waiter.wait(jobId, timeoutMs, () => this.add(name, data, jobId)), timeoutMs + this.timeoutMs);
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

  private async redis<T>(operation: Promise<T>, timeoutMs = this.timeoutMs): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('redis timeout')), timeoutMs);
    });
    try {
      return await Promise.race([operation, timeout]);
    } catch {
      operation.catch(() => {});
      throw serviceUnavailable('the queue is unavailable, try again shortly');
    } finally {
      clearTimeout(timer);
    }
  }
}
