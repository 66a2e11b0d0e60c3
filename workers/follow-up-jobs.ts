// The worker process's side of the follow-ups queue: it adds and removes the delayed follow-up jobs and
// keeps the reconciler's job scheduler registered.
import { Queue } from 'bullmq';
import type { RedisClient } from '../config/redis';
import type { Logger } from '../config/logger';
import { followUpDelayMs } from '../domain/follow-ups';
import { FOLLOW_UP_RECONCILER, JOB_NAMES, JOB_OPTIONS, QUEUES, followUpJobId, type FollowUpJobData } from '../domain/jobs';
import type { FollowUpTimers } from './follow-up-timers';

export class FollowUpJobs implements FollowUpTimers {
  readonly queue: Queue;
  private watchdog?: NodeJS.Timeout;
  private checking?: Promise<void>;

  constructor(
    connection: RedisClient,
    prefix: string,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.queue = new Queue(QUEUES.followUps, { connection, prefix });
  }

  async schedule(data: FollowUpJobData): Promise<void> {
    await this.queue.add(JOB_NAMES.followUp, data, {
      ...JOB_OPTIONS[JOB_NAMES.followUp],
      jobId: followUpJobId(data.followUpId),
      delay: followUpDelayMs(new Date(data.scheduledAt), this.clock()),
    });
  }

  async cancel(followUpId: string): Promise<void> {
    await this.queue.remove(followUpJobId(followUpId)); // 0 when the job is running: it re-checks the row
  }

  async missing(followUpIds: readonly string[]): Promise<string[]> {
    const states = await Promise.all(followUpIds.map((id) => this.queue.getJobState(followUpJobId(id))));
    return followUpIds.filter((_, i) => states[i] === 'unknown');
  }

  /**
   * Registers the reconciler's job scheduler (so one worker among many runs it each time), then checks
   * every `everyMs` that it is still there: a Redis that lost its data lost the scheduler with it, and
   * nothing else would bring it back.
   */
  keepReconcilerScheduled(everyMs: number, logger: Logger): void {
    const check = async () => {
      try {
        const existing = await this.queue.getJobScheduler(FOLLOW_UP_RECONCILER.schedulerId);
        if (existing?.every === everyMs) return;
        await this.queue.upsertJobScheduler(
          FOLLOW_UP_RECONCILER.schedulerId,
          { every: everyMs },
          { name: JOB_NAMES.reconcileFollowUps, opts: JOB_OPTIONS[JOB_NAMES.reconcileFollowUps] },
        );
        if (existing === undefined) logger.info({ everyMs }, 'follow-up reconciler scheduled');
      } catch (error) {
        logger.warn({ err: error }, 'could not register the follow-up reconciler, will try again');
      }
    };
    const run = () => {
      this.checking ??= check().finally(() => (this.checking = undefined));
    };
    run();
    this.watchdog = setInterval(run, everyMs);
    this.watchdog.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.watchdog);
    await this.checking;
    await this.queue.close();
  }
}
