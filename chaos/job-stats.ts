// How close the run came to the limits that would fail a job for good: the attempts it spent (8 at
// most) and how often a killed worker left it stalled (the workers' maxStalledCount).
import { openRedis, type RedisTarget } from '../config/redis';
import { QUEUES } from '../domain/jobs';

export interface JobStats {
  readonly jobs: number;
  /** Jobs a killed worker left behind that were handed to another worker. */
  readonly recoveredFromStall: number;
  readonly mostStalls: number;
  /** Jobs that needed more than one attempt. */
  readonly retried: number;
  readonly mostAttempts: number;
}

/** The jobs' figures, each job looked for under every prefix given (a sharded queue's). */
export async function jobStats(
  where: RedisTarget | string,
  prefixes: string | readonly string[],
  jobIds: readonly string[],
): Promise<JobStats> {
  const redis = openRedis(where, { maxRetriesPerRequest: 1 });
  try {
    // One pipeline per prefix: on a cluster a pipeline's keys must share a slot, as one prefix's do.
    const replies = (
      await Promise.all(
        (typeof prefixes === 'string' ? [prefixes] : prefixes).map((prefix) => {
          const pipeline = redis.pipeline();
          for (const id of jobIds) pipeline.hmget(`${prefix}:${QUEUES.activityResults}:${id}`, 'stc', 'atm');
          return pipeline.exec();
        }),
      )
    ).flatMap((r) => r ?? []);
    const stats = { jobs: 0, recoveredFromStall: 0, mostStalls: 0, retried: 0, mostAttempts: 0 };
    for (const [, value] of replies) {
      const [stc, atm] = (value as (string | null)[] | null) ?? [null, null];
      if (atm === null) continue; // no such job: the API answered the event without queueing it
      const [stalls, attempts] = [Number(stc ?? 0), Number(atm)];
      stats.jobs += 1;
      if (stalls > 0) stats.recoveredFromStall += 1;
      if (attempts > 1) stats.retried += 1;
      stats.mostStalls = Math.max(stats.mostStalls, stalls);
      stats.mostAttempts = Math.max(stats.mostAttempts, attempts);
    }
    return stats;
  } finally {
    redis.disconnect();
  }
}
