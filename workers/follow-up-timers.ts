// What the processors need from Redis for follow-ups, without importing bullmq: the composition root
// passes in the BullMQ implementation (follow-up-jobs.ts), tests may pass in anything.
import type { FollowUpJobData } from '../domain/jobs';

export interface FollowUpTimers {
  /** Adds the delayed job due at `scheduledAt` (at once when past); a no-op when it exists already. */
  schedule(data: FollowUpJobData): Promise<void>;
  /** Best effort: the processor re-checks the row, so a timer that escapes removal does nothing. */
  cancel(followUpId: string): Promise<void>;
  /** Of the given follow-ups, those that have no job in Redis. */
  missing(followUpIds: readonly string[]): Promise<string[]>;
}
