import type { ErrorDetail } from './errors';
import type { TaskResultEvent } from './task-result-event';

export interface ResultTypeRule {
  readonly code: string;
  readonly requiresFutureScheduledAt: boolean;
}

/** A tenant with result types accepts only their codes; some codes need a follow-up date. */
export function resultTypeViolations(rules: readonly ResultTypeRule[], event: TaskResultEvent): ErrorDetail[] {
  if (rules.length === 0) return [];
  const rule = rules.find((r) => r.code === event.task_result.result);
  if (!rule) {
    const codes = rules.map((r) => r.code).join(', ');
    return [
      { path: 'task_result.result', message: `"${event.task_result.result}" is not a result type of this tenant (one of: ${codes})` },
    ];
  }
  if (rule.requiresFutureScheduledAt && !event.task_result.future_scheduled_at) {
    return [{ path: 'task_result.future_scheduled_at', message: `result "${rule.code}" requires future_scheduled_at` }];
  }
  return [];
}
